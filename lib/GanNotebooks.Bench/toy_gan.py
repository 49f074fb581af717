"""PyTorch twin of GanNotebooks.Bench's plain TorchSharp loop (run by the bench; prints one JSON line).

Same model and step as the C# side: 2D ring of 8 Gaussians, G = MLP 2 -> 128x3 (ReLU) -> 2,
D = MLP 2 -> 128x3 (LeakyReLU 0.2) -> 1 logit, Adam 2e-4 (0.5, 0.999), non-saturating loss,
one D step then one G step, both losses read back to the host every step.
"""
import argparse
import json
import math
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(act())
    return nn.Sequential(*layers)


def ring(b):
    k = torch.randint(0, 8, (b,))
    ang = k.float() * (2 * math.pi / 8)
    centres = torch.stack([torch.cos(ang), torch.sin(ang)], 1)
    return centres + 0.01 * torch.randn(b, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    h = a.hidden
    G = mlp([2, h, h, h, 2], nn.ReLU)
    D = mlp([2, h, h, h, 1], lambda: nn.LeakyReLU(0.2))
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def step():
        real = ring(a.batch)
        z = torch.randn(a.batch, 2)
        with torch.no_grad():
            fake = G(z)
        optD.zero_grad()
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        d_loss.backward()
        optD.step()
        z = torch.randn(a.batch, 2)
        optG.zero_grad()
        g_loss = F.softplus(-D(G(z))).mean()
        g_loss.backward()
        optG.step()
        return d_loss.item(), g_loss.item()

    for _ in range(a.warmup):
        step()
    rates = []
    for _ in range(a.rounds):
        t = time.perf_counter()
        for _ in range(a.steps):
            step()
        rates.append(a.steps / (time.perf_counter() - t))
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    blas = m.group(1) if m else "?"
    print(json.dumps({"steps_per_s": max(rates), "rates": rates, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "blas": blas}))


if __name__ == "__main__":
    main()
