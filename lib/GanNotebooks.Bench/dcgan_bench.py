"""PyTorch twin of GanNotebooks.Bench's `dcgan` subcommand (run by the bench; prints one JSON line).

Same model and iteration as the C# side (DcganGenerator / DcganDiscriminator): G = transposed conv
z -> s0 x s0 x width*2^(k-1), then 4x4 stride-2 transposed convs halving the channels, BatchNorm + ReLU,
tanh output; D = 4x4 stride-2 convs doubling the channels, LeakyReLU 0.2, BatchNorm except on the input
layer, linear head. One D step (G forward without grad, D on real and fake) then one G step with D
frozen, non-saturating loss, Adam 2e-4 (0.5, 0.999); losses are read back every 1000 iterations only,
as the C# trainer with LogEvery = 1000.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def layout(size):
    s, k = size, 0
    while s > 7 and s % 2 == 0:
        s //= 2
        k += 1
    return s, k


def generator(size, ch_out, z, width, bn):
    s0, k = layout(size)
    ch = width << (k - 1)
    layers = [nn.ConvTranspose2d(z, ch, s0, 1, 0, bias=not bn)]
    if bn:
        layers.append(nn.BatchNorm2d(ch))
    layers.append(nn.ReLU())
    for _ in range(1, k):
        layers.append(nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=not bn))
        ch //= 2
        if bn:
            layers.append(nn.BatchNorm2d(ch))
        layers.append(nn.ReLU())
    layers += [nn.ConvTranspose2d(ch, ch_out, 4, 2, 1), nn.Tanh()]
    return nn.Sequential(*layers)


class Discriminator(nn.Module):
    def __init__(self, size, ch_in, width, bn):
        super().__init__()
        s0, k = layout(size)
        layers = [nn.Conv2d(ch_in, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        ch = width
        for _ in range(1, k):
            layers.append(nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=not bn))
            ch *= 2
            if bn:
                layers.append(nn.BatchNorm2d(ch))
            layers.append(nn.LeakyReLU(0.2))
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(ch * s0 * s0, 1)

    def forward(self, x):
        return self.head(self.body(x).flatten(1)).squeeze(1)


def init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=28)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--z", type=int, default=64)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--no-bn", action="store_true")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    bn = not a.no_bn
    G = generator(a.size, 1, a.z, a.width, bn)
    D = Discriminator(a.size, 1, a.width, bn)
    G.apply(init)
    D.apply(init)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    data = torch.rand(1024, 1, a.size, a.size) * 2 - 1
    it = [0]

    def step():
        real = data[torch.randint(0, 1024, (a.batch,))]
        z = torch.randn(a.batch, a.z)
        with torch.no_grad():
            fake = G(z.view(a.batch, a.z, 1, 1))
        optD.zero_grad()
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        d_loss.backward()
        optD.step()
        z = torch.randn(a.batch, a.z)
        for p in D.parameters():
            p.requires_grad_(False)
        optG.zero_grad()
        g_loss = F.softplus(-D(G(z.view(a.batch, a.z, 1, 1)))).mean()
        g_loss.backward()
        optG.step()
        for p in D.parameters():
            p.requires_grad_(True)
        it[0] += 1
        if it[0] % 1000 == 0:
            d_loss.item(), g_loss.item()

    for _ in range(a.warmup):
        step()
    rates = []
    for _ in range(a.rounds):
        t = time.perf_counter()
        for _ in range(a.steps):
            step()
        rates.append(a.steps / (time.perf_counter() - t))
    print(json.dumps({"iters_per_s": max(rates), "rates": rates, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
