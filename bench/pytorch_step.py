"""The 100-Gaussians training step in PyTorch, for `deno task compare`.

The same step as particlegan's GANTrainer with the original's settings:
G and D are MLPs with 3 hidden layers of 128 and LeakyReLU(0.2), Xavier
uniform weights; 20,000 particles of width 2 with Adam at 10x G's rate;
hinge loss; VICReg on the batch's unique particles; one D update on real vs
G(particles) without gradient into G, then one G + particle update on fresh
particles. Prints one JSON line: milliseconds per step (median and mean).

Usage: python3 bench/pytorch_step.py --batch 256 --steps 500 [--threads 1]
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        nn.init.xavier_uniform_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 2 < len(sizes):
            layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)


def vicreg(z, target_std=1.0, eps=1e-4):
    n, d = z.shape
    centered = z - z.mean(0)
    variance = (centered**2).sum(0) / (n - 1)
    std = torch.sqrt(variance + eps)
    variance_term = torch.relu(target_std - std).mean()
    covariance = centered.T @ centered / (n - 1)
    off_diagonal = (covariance**2).sum() - (variance**2).sum()
    return variance_term + off_diagonal / d


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    g = mlp([2, 128, 128, 128, 2])
    d = mlp([2, 128, 128, 128, 1])
    particles = nn.Parameter(torch.randn(20_000, 2))
    lr = 1e-4
    g_opt = torch.optim.Adam(g.parameters(), lr=lr, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=lr, betas=(0.5, 0.999))
    p_opt = torch.optim.Adam([particles], lr=10 * lr, betas=(0.5, 0.999))
    centers = torch.stack(
        torch.meshgrid(torch.arange(10.0) - 4.5, torch.arange(10.0) - 4.5, indexing="ij"), -1
    ).reshape(-1, 2)
    real = centers[torch.randint(0, 100, (args.batch,))] + 0.03 * torch.randn(args.batch, 2)

    def step():
        index = torch.randint(0, 20_000, (args.batch,))
        with torch.no_grad():
            fake = g(particles[index])
        d_loss = torch.relu(1 - d(real)).mean() + torch.relu(1 + d(fake)).mean()
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()

        index = torch.randint(0, 20_000, (args.batch,))
        g_loss = -d(g(particles[index])).mean() + vicreg(particles[torch.unique(index)])
        g_opt.zero_grad(set_to_none=True)
        p_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        p_opt.step()
        return g_loss

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(1000 * (time.perf_counter() - start))
    print(
        json.dumps(
            {
                "batch": args.batch,
                "threads": args.threads,
                "torch": torch.__version__,
                "medianMs": statistics.median(times),
                "meanMs": statistics.fmean(times),
            }
        )
    )


if __name__ == "__main__":
    main()
