"""Reference implementation for topic 19: variational autoencoder (reparameterisation, Gaussian KL,
Bernoulli likelihood from logits, the negative ELBO, a small VAE and its training loop)."""
import torch
from torch import nn


def reparameterize(mu, logvar, eps):
    # mu, logvar, eps (B, Z): z = mu + sigma * eps with sigma = exp(logvar / 2)
    return mu + torch.exp(0.5 * logvar) * eps  # (B, Z)


def gaussian_kl(mu, logvar):
    # KL(N(mu, sigma^2) || N(0, 1)) summed over the latent dimensions: (B, Z) -> (B,)
    return -0.5 * (1 + logvar - mu ** 2 - torch.exp(logvar)).sum(dim=1)


def bernoulli_nll(logits, x):
    # -log p(x | logits) summed over the D pixels, stable for any logit: (B, D) -> (B,)
    # -[x log s(l) + (1 - x) log(1 - s(l))] = max(l, 0) - x l + log(1 + exp(-|l|))
    return (logits.clamp(min=0) - x * logits + torch.log1p(torch.exp(-logits.abs()))).sum(dim=1)


def negative_elbo(x, logits, mu, logvar, beta=1.0):
    # mean over the batch of reconstruction NLL + beta * KL: ()
    return (bernoulli_nll(logits, x) + beta * gaussian_kl(mu, logvar)).mean()


class VAE(nn.Module):
    def __init__(self, in_dim=64, hidden=128, latent=8):
        super().__init__()
        self.enc = nn.Linear(in_dim, hidden)
        self.enc_mu = nn.Linear(hidden, latent)
        self.enc_logvar = nn.Linear(hidden, latent)
        self.dec = nn.Linear(latent, hidden)
        self.dec_out = nn.Linear(hidden, in_dim)

    def encode(self, x):
        h = torch.relu(self.enc(x))  # (B, H)
        return self.enc_mu(h), self.enc_logvar(h)  # (B, Z), (B, Z)

    def decode(self, z):
        return self.dec_out(torch.relu(self.dec(z)))  # (B, D) logits

    def forward(self, x, eps):
        mu, logvar = self.encode(x)
        return self.decode(reparameterize(mu, logvar, eps)), mu, logvar


def train_vae(X, hidden=128, latent=8, n_steps=1500, batch_size=128, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    model = VAE(X.shape[1], hidden, latent)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_steps):
        idx = torch.randint(0, X.shape[0], (batch_size,))
        x = X[idx]  # (batch, D)
        eps = torch.randn(batch_size, latent)
        logits, mu, logvar = model(x, eps)
        loss = negative_elbo(x, logits, mu, logvar)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return model, losses
