"""Reference implementation for topic 13: a denoising autoencoder on 8x8 digits."""
import torch
from torch import nn


class Autoencoder(nn.Module):
    def __init__(self, n_in=64, n_hidden=32, n_latent=8):
        super().__init__()
        self.enc1 = nn.Linear(n_in, n_hidden)
        self.enc2 = nn.Linear(n_hidden, n_latent)
        self.dec1 = nn.Linear(n_latent, n_hidden)
        self.dec2 = nn.Linear(n_hidden, n_in)

    def encode(self, x):
        return self.enc2(torch.relu(self.enc1(x)))  # (B, n_latent): no activation on the code

    def decode(self, z):
        return torch.sigmoid(self.dec2(torch.relu(self.dec1(z))))  # (B, n_in), in (0, 1)

    def forward(self, x):
        return self.decode(self.encode(x))


def add_noise(x, noise_std, generator=None):
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)  # one draw, shape of x
    return (x + noise_std * noise).clamp(0.0, 1.0)  # a new tensor; x is left alone


def denoising_loss(model, x, noise_std, generator=None):
    recon = model(add_noise(x, noise_std, generator))  # corrupt the input ...
    return ((recon - x) ** 2).mean()  # ... and reconstruct the clean target


def train_autoencoder(X, n_hidden=32, n_latent=8, noise_std=0.2, epochs=30, batch_size=64, lr=5e-3,
                      seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = Autoencoder(X.shape[1], n_hidden, n_latent).to(X.dtype)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(X.shape[0], generator=gen)
        total = 0.0
        for start in range(0, X.shape[0], batch_size):
            xb = X[order[start:start + batch_size]]  # (b, n_in)
            loss = denoising_loss(model, xb, noise_std, gen)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        losses.append(total / X.shape[0])
    return model, losses
