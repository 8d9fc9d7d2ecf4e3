"""AstroPT v1 in plain PyTorch, written from DESIGN.md's model description, for bench/scripts/vs-pytorch.sh.

The other side of the side-by-side benchmark: the same network, the same forward (embedding, max
pooling, per-token surprise) and the same training step (Huber loss, backward, clip 1.0, AdamW) as the
Java model, in the idiomatic PyTorch of the version Debian ships (1.13: no scaled_dot_product_attention,
so attention is the nanoGPT-style manual product; GELU, LayerNorm and Linear are PyTorch's own kernels).

  python3 vs_pytorch_model.py check FIXTURE_DIR          # outputs and one AdamW step against the fixture
  python3 vs_pytorch_model.py bench --preset 1M --tokens 64 --batch 32 --seconds 8 [--train]
  python3 vs_pytorch_model.py products --preset 12M --tokens 64 --batch 32 --seconds 8

`bench` prints one JSON line: calls, seconds, cutouts_per_s, cutouts_per_cpu_s and cutouts_per_thread_cpu_s (per
second of this process's, and of the calling thread's, CPU time), tokens_per_s, matmul_flops (1024x1024 fp32).
`products` prints a JSON line per weight shape of the model: the thread CPU time and GFLOP/s of that product alone
at batch x tokens rows (as `astropt bench model --products`), then what one pass's products take at those rates.
Threads: one intra-op and one inter-op thread, as `astropt bench model --threads 1`.
"""
import argparse
import itertools
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {"1M": (4, 8, 128), "5M": (6, 8, 256), "12M": (6, 8, 384), "21M": (6, 8, 512)}


class Config:
    def __init__(self, n_layer, n_head, n_embd, n_chan=3, patch_size=16, block_size=1024):
        self.n_layer, self.n_head, self.n_embd = n_layer, n_head, n_embd
        self.n_chan, self.patch_size, self.block_size = n_chan, patch_size, block_size
        self.token_dim = patch_size * patch_size * n_chan


class LayerNorm(nn.Module):
    """Weight, no bias (PyTorch 1.13's nn.LayerNorm cannot drop only the bias), eps 1e-5."""

    def __init__(self, e):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(e))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c.n_head
        self.c_attn = nn.Linear(c.n_embd, 3 * c.n_embd, bias=False)
        self.c_proj = nn.Linear(c.n_embd, c.n_embd, bias=False)
        # built once, sliced per call
        self.register_buffer("causal", torch.tril(torch.ones(c.block_size, c.block_size, dtype=torch.bool)), persistent=False)

    def forward(self, x):
        b, t, e = x.shape
        hd = e // self.n_head
        q, k, v = self.c_attn(x).split(e, dim=2)                       # 3 x [B, T, E]
        q = q.view(b, t, self.n_head, hd).transpose(1, 2)              # [B, H, T, hd]
        k = k.view(b, t, self.n_head, hd).transpose(1, 2)
        v = v.view(b, t, self.n_head, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))         # [B, H, T, T]
        att = att.masked_fill(~self.causal[:t, :t], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, e)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c.n_embd)
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c.n_embd)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(c.n_embd, 4 * c.n_embd, bias=False)
        self.mlp.c_proj = nn.Linear(4 * c.n_embd, c.n_embd, bias=False)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x)), approximate="tanh"))


class AstroPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        e, d = c.n_embd, c.token_dim
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Sequential(nn.Linear(d, e), nn.ReLU(), nn.Linear(e, e), nn.ReLU()),
            wpe=nn.Embedding(c.block_size, e),
            h=nn.ModuleList([Block(c) for _ in range(c.n_layer)]),
            ln_f=LayerNorm(e)))
        self.lm_head = nn.Sequential(nn.Linear(e, 2 * e), nn.ReLU(), nn.Linear(2 * e, e), nn.ReLU(), nn.Linear(e, d))
        for name, p in self.named_parameters():  # the reference's init
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * c.n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, tokens):
        """tokens [B, T, D] -> (prediction [B, T, D], last block's output [B, T, E])"""
        t = tokens.shape[1]
        x = self.transformer.wte(tokens) + self.transformer.wpe.weight[:t]
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x)), x


def embed(model, tokens):
    """What the Java Embedder returns per cutout: mean and max of the hidden state, per-token and mean surprise."""
    with torch.inference_mode():
        prediction, hidden = model(tokens)
        per_token = F.huber_loss(prediction[:, :-1], tokens[:, 1:], reduction="none", delta=1.0).mean(dim=2)
        return hidden.mean(dim=1).numpy(), hidden.amax(dim=1).numpy(), per_token.numpy(), per_token.mean(dim=1).numpy()


def optimizer(model, lr):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.95), eps=1e-8)


def train_step(model, opt, batch):
    """batch [B, T + 1, D]: read tokens 0..T-1, scored on 1..T."""
    prediction, _ = model(batch[:, :-1])
    loss = F.huber_loss(prediction, batch[:, 1:], delta=1.0)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", name + ": " + meta["dtype"]
        start, end = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype="<f4").reshape(meta["shape"]).copy())
    return out


def relative(ours, ref):
    return float(np.max(np.abs(ours - ref)) / max(np.max(np.abs(ref)), 1e-30))


def check(fixture):
    """The fixture tests' tolerances: 1e-4 relative to scale on activations, 1e-5 absolute on loss and weights."""
    with open(os.path.join(fixture, "config.json")) as f:
        cfg = json.load(f)
    assert not cfg.get("bias", False), "this benchmark model has no LayerNorm/attention/MLP biases (AstroPT v1)"
    c = Config(cfg["n_layer"], cfg["n_head"], cfg["n_embd"], cfg["n_chan"], cfg["patch_size"], cfg["block_size"])
    model = AstroPT(c)
    weights = read_safetensors(os.path.join(fixture, "weights.safetensors"))
    model.load_state_dict(weights, strict=True)
    tokens = torch.from_numpy(np.load(os.path.join(fixture, "tokens.npy")))[None]
    emb, _, _, surprise = embed(model, tokens)
    with torch.inference_mode():
        prediction, hidden = model(tokens)
    worst = {
        "hidden": relative(hidden.numpy(), np.load(os.path.join(fixture, "hidden.npy"))),
        "prediction": relative(prediction.numpy(), np.load(os.path.join(fixture, "prediction.npy"))),
        "embedding": relative(emb, np.load(os.path.join(fixture, "embedding.npy"))),
        "surprise": relative(surprise, np.load(os.path.join(fixture, "surprise.npy"))),
    }
    failed = [k for k, v in worst.items() if not v <= 1e-4]
    opt = optimizer(model, 1e-3)
    loss = train_step(model, opt, torch.from_numpy(np.load(os.path.join(fixture, "step_batch.npy"))))
    worst["step_loss_abs"] = abs(loss - float(np.load(os.path.join(fixture, "step_loss.npy"))[0]))
    after = read_safetensors(os.path.join(fixture, "weights_after_step.safetensors"))
    state = model.state_dict()
    worst["weights_after_step_abs"] = max(float((state[k] - v).abs().max()) for k, v in after.items())
    failed += [k for k in ("step_loss_abs", "weights_after_step_abs") if not worst[k] <= 1e-5]
    print("pytorch %s parity against %s: %s" % (torch.__version__, fixture,
                                                ", ".join("%s %.2g" % kv for kv in worst.items())))
    if failed:
        sys.exit("the PyTorch benchmark model differs from the fixture in " + ", ".join(failed))


def timed(seconds, call):
    """calls, wall seconds, fastest call, process CPU seconds, this thread's CPU seconds, as ModelBench.timed"""
    cpu = time.process_time()
    thread = time.thread_time()
    start = time.perf_counter()
    deadline = start + seconds
    calls, best, now = 0, float("inf"), start
    while True:
        before = now
        call()
        calls += 1
        now = time.perf_counter()
        best = min(best, now - before)
        if now >= deadline:
            return calls, now - start, best, time.process_time() - cpu, time.thread_time() - thread


def bench(args):
    torch.manual_seed(args.seed)
    c = Config(*PRESETS[args.preset])
    model = AstroPT(c)
    t = args.tokens + (1 if args.train else 0)  # training reads T of T + 1 tokens, as `astropt bench model --train`
    data = np.random.default_rng(args.seed).standard_normal((args.batch, t, c.token_dim), dtype=np.float32)
    if args.train:
        model.train()
        opt = optimizer(model, 1e-4)
        batch = torch.from_numpy(data)
        call = lambda: train_step(model, opt, batch)
    else:
        model.eval()
        call = lambda: embed(model, torch.from_numpy(data.copy()))  # a fresh tensor from float arrays, as the Embedder
    warm = time.perf_counter() + args.seconds / 4  # as ModelBench.warmUp: 2 calls and a quarter of the time
    for i in itertools.count():
        if i >= 2 and time.perf_counter() >= warm:
            break
        call()
    calls, seconds, best, cpu, thread = timed(args.seconds, call)
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    rate = 0.0
    with torch.inference_mode():
        a @ b
        for _ in range(5):
            n, s, _, _, _ = timed(max(0.2, min(1.0, args.seconds / 20)), lambda: a @ b)
            rate = max(rate, 2.0 * 1024 ** 3 * n / s)
    print(json.dumps({"side": "pytorch", "version": torch.__version__, "preset": args.preset, "tokens": args.tokens,
                      "batch": args.batch, "mode": "train" if args.train else "forward", "threads": torch.get_num_threads(),
                      "calls": calls, "seconds": seconds, "ms_best_batch": best * 1000,
                      "cutouts_per_s": args.batch * calls / seconds,
                      "cpu_ms_per_batch": cpu / calls * 1000, "cutouts_per_cpu_s": args.batch * calls / cpu,
                      "thread_cpu_ms_per_batch": thread / calls * 1000, "cutouts_per_thread_cpu_s": args.batch * calls / thread, "tokens_per_s": args.batch * args.tokens * calls / seconds,
                      "matmul_flops": rate}))


def products(args):
    """The model's own matrix products on their own, as `astropt bench model --products`: each weight shape (every
    2-d weight but the position table) at batch x tokens rows, x W^T through F.linear, thread CPU, best of 5 chunks."""
    torch.manual_seed(args.seed)
    model = AstroPT(Config(*PRESETS[args.preset]))
    shapes = {}
    for name, p in model.named_parameters():
        if p.dim() == 2 and "wpe" not in name:
            shapes.setdefault(tuple(p.shape), []).append(name)
    rows = args.batch * args.tokens
    each = args.seconds / len(shapes)
    total = 0.0
    with torch.inference_mode():
        for (out, inp), names in shapes.items():
            x, w = torch.rand(rows, inp) * 2 - 1, torch.rand(out, inp) * 2 - 1
            timed(each / 5, lambda: F.linear(x, w))  # warm-up
            best = min(t / n for n, _, _, _, t in (timed(each / 5, lambda: F.linear(x, w)) for _ in range(5)))
            total += len(names) * best
            print(json.dumps({"side": "pytorch", "version": torch.__version__, "preset": args.preset, "rows": rows,
                              "in": inp, "out": out, "per_pass": len(names), "first": names[0],
                              "thread_cpu_ms": best * 1000, "gflops": 2.0 * rows * inp * out / best / 1e9}))
    print(json.dumps({"side": "pytorch", "preset": args.preset, "rows": rows, "products_ms_per_pass": total * 1000}))


def main():
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("check").add_argument("fixture")
    b = sub.add_parser("bench")
    b.add_argument("--preset", default="1M", choices=sorted(PRESETS))
    b.add_argument("--tokens", type=int, default=64)
    b.add_argument("--batch", type=int, default=8)
    b.add_argument("--seconds", type=float, default=8)
    b.add_argument("--train", action="store_true")
    b.add_argument("--seed", type=int, default=1)
    m = sub.add_parser("products")
    for name, default in (("--preset", "1M"), ("--tokens", 64), ("--batch", 32), ("--seconds", 8.0), ("--seed", 1)):
        m.add_argument(name, default=default, type=type(default))
    args = p.parse_args()
    if args.command == "check":
        check(args.fixture)
    elif args.command == "products":
        products(args)
    else:
        bench(args)


if __name__ == "__main__":
    main()
