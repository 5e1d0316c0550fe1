"""The PyTorch anchor for bench/train.ts: one sigmoid-DPO step of the same architecture on the same
token batch (written by bench/train.ts), with tools/train-tiny's CausalLM, fp32, AdamW.

  python3 bench/train-dpo-torch.py --batch FILE.json --steps N --threads T [--model tiny-a]

Prints one JSON line: tokens/s over the timed steps (the first two steps are warm-up).
"""
import argparse, json, os, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "train-tiny"))
from model import CausalLM  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", required=True)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model", default="tiny-a")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    cfg = json.load(open(os.path.join(root, "models", a.model, "config.json")))
    b = json.load(open(a.batch))
    ids, mask = torch.tensor(b["ids"]), torch.tensor(b["mask"], dtype=torch.float32)
    n, t = ids.shape
    half = n // 2
    torch.manual_seed(0)
    model = CausalLM(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.0)
    am = torch.ones((n, t), dtype=torch.long)  # right padding: the causal mask hides it, as in the lab
    pos = torch.arange(t)[None].expand(n, t)
    tgt = torch.cat([ids[:, 1:], ids[:, :1]], dim=1)

    def logps(m):
        logits, _ = m(ids, am, pos)
        lp = torch.log_softmax(logits, -1).gather(-1, tgt[..., None])[..., 0]
        return (lp * mask).sum(-1)

    with torch.no_grad():
        ref = logps(model)
    times = []
    for s in range(a.steps + 2):
        t0 = time.time()
        pol = logps(model)
        h = (pol[:half] - ref[:half]) - (pol[half:] - ref[half:])
        loss = -F.logsigmoid(0.1 * h).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        times.append(time.time() - t0)
    timed = times[2:]
    print(json.dumps({"tok_s": b["tokens"] * len(timed) / sum(timed), "step_s": sum(timed) / len(timed), "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
