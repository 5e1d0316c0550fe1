"""Training-step throughput of the embedded models on this CPU, measured side by side in one run.

  /usr/bin/python3 bench/train-step.py [--steps 40] [--model tiny-a]

Compares fp32 vs bfloat16 autocast, batches padded to their exact length vs to a multiple of 64,
and glibc's default malloc vs the settings of tools/train-tiny/train.sh (freed activation buffers
stay in the heap instead of being unmapped and page-faulted back every step). Each variant runs
in its own child process (malloc settings are read at process start), one after the other, on
the same length draws (120-500 tokens, like the corpus). Prints tokens/s and ratios; figures go to
bench/RESULTS.md.
"""
import argparse, json, os, random, subprocess, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "train-tiny"))
from model import CausalLM  # noqa: E402
from train import ARCH  # noqa: E402


# The same values as tools/train-tiny/train.sh.
TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "4294967296", "MALLOC_TRIM_THRESHOLD_": "68719476736", "MALLOC_TOP_PAD_": "1073741824"}
VARIANTS = [  # name, bf16, pad multiple, tuned malloc
    ("fp32, exact length", False, 1, False),
    ("bf16, exact length", True, 1, False),
    ("bf16, padded to 64", True, 64, False),
    ("bf16, exact, tuned malloc", True, 1, True),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--model", default="tiny-a", choices=sorted(ARCH))
    ap.add_argument("--variant", type=int, help=argparse.SUPPRESS)  # child process: run one variant
    a = ap.parse_args()
    if a.variant is None:
        res = {}
        for i, (name, _, _, tuned) in enumerate(VARIANTS):
            env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
            if tuned:
                env.update(TUNED_MALLOC)
            cmd = [sys.executable, os.path.abspath(__file__), "--steps", str(a.steps), "--batch", str(a.batch), "--model", a.model, "--variant", str(i)]
            t0 = time.time()
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            res[name] = json.loads(out.stdout.strip().splitlines()[-1])
            res[name]["wall"] = round(time.time() - t0, 1)
        base = res[VARIANTS[0][0]]["tok_s"]
        print(f"{a.model}: {a.steps} steps x batch {a.batch}, lengths 120-500, 1 thread, one child process per variant")
        for name, v in res.items():
            print(f"  {name:26s} {v['tok_s']:7.0f} tok/s  {v['tok_s'] / base:4.2f}x fp32   (user {v['user']:.1f} s, system {v['sys']:.1f} s)")
        print(json.dumps(res))
        return
    torch.set_num_threads(1)
    arch = {k: v for k, v in ARCH[a.model].items() if k not in ("seed", "style")}
    cfg = dict(arch, vocab_size=288, head_dim=arch["hidden_size"] // arch["num_attention_heads"])
    rng = random.Random(0)
    lengths = [[rng.randint(120, 500) for _ in range(a.batch)] for _ in range(a.steps)]

    def run(bf16, multiple):
        torch.manual_seed(0)
        model = CausalLM(cfg)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        tokens, t0 = 0, None
        for s, ls in enumerate(lengths):
            if s == 3:  # the first steps build kernels for every variant alike
                tokens, t0 = 0, time.time()
            t = -(-max(ls) // multiple) * multiple
            ids = torch.randint(0, 256, (a.batch, t))
            am = torch.zeros((a.batch, t), dtype=torch.long)
            for b, n in enumerate(ls):
                am[b, :n] = 1
            pos = torch.arange(t)[None].expand(a.batch, t)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits, _ = model(ids, am, pos)
            tgt = torch.where(am > 0, ids, torch.full_like(ids, -100))
            loss = F.cross_entropy(logits.float().view(-1, cfg["vocab_size"]), tgt.view(-1), ignore_index=-100)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tokens += sum(ls)
        return tokens / (time.time() - t0)

    _, bf16, mult, _ = VARIANTS[a.variant]
    tok_s = run(bf16, mult)
    t = os.times()
    print(json.dumps({"tok_s": round(tok_s), "user": round(t.user, 1), "sys": round(t.system, 1)}))


if __name__ == "__main__":
    main()
