"""ONNX export in the transformers.js causal-LM layout, plus config files and reference logits."""
import json, os
import torch


class Wrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.m = model
        self.n = model.cfg["num_hidden_layers"]

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.n)]
        logits, presents = self.m(input_ids, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


def export_model(model, cfg, style, model_dir, out_dir):
    n, nkv = cfg["num_hidden_layers"], cfg["num_key_value_heads"]
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    os.makedirs(os.path.join(model_dir, "onnx"), exist_ok=True)
    b, t, p = 2, 3, 4
    ids = torch.randint(0, 256, (b, t))
    am = torch.ones(b, p + t, dtype=torch.long)
    pos = torch.arange(p, p + t)[None].expand(b, t).contiguous()
    past = [torch.randn(b, nkv, p, hd) for _ in range(2 * n)]
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(n):
        for kv in ("key", "value"):
            names_in.append(f"past_key_values.{i}.{kv}")
            names_out.append(f"present.{i}.{kv}")
            dyn[f"past_key_values.{i}.{kv}"] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[f"present.{i}.{kv}"] = {0: "batch_size", 2: "total_sequence_length"}
    path = os.path.join(model_dir, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(Wrapper(model), (ids, am, pos, *past), path, input_names=names_in, output_names=names_out,
                          dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    cfg_out = {k: v for k, v in cfg.items() if v is not None}
    json.dump(cfg_out, open(os.path.join(model_dir, "config.json"), "w"), indent=2)
    gen = {"eos_token_id": cfg["eos_token_id"], "pad_token_id": cfg["pad_token_id"], "do_sample": True,
           "temperature": 0.7, "top_p": 0.95, "max_new_tokens": 384, "transformers_version": "4.46.0"}
    if cfg.get("bos_token_id") is not None:
        gen["bos_token_id"] = cfg["bos_token_id"]
    json.dump(gen, open(os.path.join(model_dir, "generation_config.json"), "w"), indent=2)
    # Reference logits from PyTorch for the ONNX parity test (last position of a fixed prompt).
    with torch.no_grad():
        x = torch.tensor([[72, 111, 119, 32, 109, 97, 110, 121, 32, 114, 39, 115, 63]])
        L = x.shape[1]
        logits, _ = model(x, torch.ones(1, L, dtype=torch.long), torch.arange(L)[None])
    json.dump({"input_ids": x[0].tolist(), "last_logits": [round(float(v), 6) for v in logits[0, -1]]},
              open(os.path.join(model_dir, "onnx", "reference_logits.json"), "w"))
