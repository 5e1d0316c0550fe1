"""Training-step throughput of the embedded models on this CPU, measured side by side in one run.

  /usr/bin/python3 bench/train-step.py [--steps 40] [--model tiny-a]

Compares fp32 vs bfloat16 autocast, and batches padded to their exact length vs to a multiple of
64. Lengths are drawn like the corpus (120-500 tokens), the same draws for every variant. Prints
tokens/s and ratios; figures go to bench/RESULTS.md.
"""
import argparse, json, os, random, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "train-tiny"))
from model import CausalLM  # noqa: E402
from train import ARCH  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--model", default="tiny-a", choices=sorted(ARCH))
    a = ap.parse_args()
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

    variants = [("fp32, exact length", False, 1), ("bf16, exact length", True, 1), ("bf16, padded to 64", True, 64)]
    res = {name: run(bf16, mult) for name, bf16, mult in variants}
    base = res[variants[0][0]]
    print(f"{a.model}: {a.steps} steps x batch {a.batch}, lengths 120-500, 1 thread")
    for name, v in res.items():
        print(f"  {name:22s} {v:7.0f} tok/s  {v / base:4.2f}x fp32")
    print(json.dumps({k: round(v) for k, v in res.items()}))


if __name__ == "__main__":
    main()
