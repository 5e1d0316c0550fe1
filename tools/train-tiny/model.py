"""Tiny Qwen2 / Llama causal LMs in plain PyTorch, shaped like the Hugging Face originals.

Same parameter names as transformers (model.layers.{i}.self_attn.q_proj ...), RMSNorm, rotary
position embeddings (rotate-half convention), grouped-query attention, SwiGLU MLP. Qwen2 has
biases on q/k/v; Llama has none. forward() follows the transformers.js causal-LM ONNX contract:
inputs input_ids, attention_mask (past + new), position_ids, past key/values per layer as
[batch, kv_heads, past_len, head_dim]; outputs logits and the present key/values.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, self.nh, self.nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
        self.hd = d // self.nh
        bias = cfg["model_type"] == "qwen2"
        self.q_proj = nn.Linear(d, self.nh * self.hd, bias=bias)
        self.k_proj = nn.Linear(d, self.nkv * self.hd, bias=bias)
        self.v_proj = nn.Linear(d, self.nkv * self.hd, bias=bias)
        self.o_proj = nn.Linear(self.nh * self.hd, d, bias=False)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.nkv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        present = (k, v)
        rep = self.nh // self.nkv
        if rep > 1:
            # expand + reshape instead of repeat_interleave: exports with dynamic past length
            k = k[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, self.nh, -1, self.hd)
            v = v[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, self.nh, -1, self.hd)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, self.nh * self.hd)
        return self.o_proj(y), present


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, f = cfg["hidden_size"], cfg["intermediate_size"]
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, mask, pk, pv):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, pk, pv)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, present


class Inner(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg["num_hidden_layers"])])
        self.norm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])


class CausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Inner(cfg)
        self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        self.lm_head.weight = self.model.embed_tokens.weight  # tied, as in Qwen2.5-0.5B / Llama-3.2-1B
        hd = cfg["hidden_size"] // cfg["num_attention_heads"]
        inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        self.register_buffer("inv_freq", inv, persistent=False)
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def rope(self, position_ids):
        freqs = position_ids.to(torch.float32)[:, :, None] * self.inv_freq[None, None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        return emb.cos()[:, None], emb.sin()[:, None]

    def forward(self, input_ids, attention_mask, position_ids, past=None):
        """past: list of (k, v) per layer or None. Returns logits and the list of presents."""
        b, t = input_ids.shape
        total = attention_mask.shape[1]
        past_len = total - t
        # Causal + padding mask, additive: query i (absolute past_len + i) may see key j <= it.
        q_pos = torch.arange(t, device=input_ids.device)[:, None] + past_len
        k_pos = torch.arange(total, device=input_ids.device)[None, :]
        causal = k_pos <= q_pos
        allowed = causal[None, None] & (attention_mask[:, None, None, :] > 0)
        mask = torch.zeros(allowed.shape, dtype=torch.float32).masked_fill(~allowed, -1e9)
        cos, sin = self.rope(position_ids)
        x = self.model.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.model.layers):
            pk, pv = past[i] if past is not None else (None, None)
            x, pr = layer(x, cos, sin, mask, pk, pv)
            presents.append(pr)
        return self.lm_head(self.model.norm(x)), presents


def count_params(model):
    return sum(p.numel() for p in model.parameters())
