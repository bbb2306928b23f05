"""Reference implementation for topic 14: GAN losses from logits (non-saturating and saturating
generator losses), small generator and discriminator, one alternating training step, training."""
import torch
import torch.nn.functional as F
from torch import nn


def d_loss(real_logits, fake_logits):
    # -mean log D(x) - mean log(1 - D(G(z))) with D = sigmoid(logit): softplus(-l) = -log sigmoid(l)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()  # ()


def g_loss(fake_logits):
    # non-saturating: -mean log D(G(z))
    return F.softplus(-fake_logits).mean()  # ()


def g_loss_saturating(fake_logits):
    # the original minimax form: mean log(1 - D(G(z))) = -mean softplus(l)
    return -F.softplus(fake_logits).mean()  # ()


class Generator(nn.Module):
    def __init__(self, z_dim=4, hidden=32, x_dim=1):
        super().__init__()
        self.fc1 = nn.Linear(z_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, x_dim)

    def forward(self, z):
        h = torch.relu(self.fc1(z))  # (B, H)
        h = torch.relu(self.fc2(h))
        return self.out(h)  # (B, x_dim)


class Discriminator(nn.Module):
    def __init__(self, x_dim=1, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(x_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        h = F.leaky_relu(self.fc1(x), 0.2)  # (B, H)
        h = F.leaky_relu(self.fc2(h), 0.2)
        return self.out(h).squeeze(-1)  # (B,) logits


def train_step(G, D, opt_g, opt_d, real, z):
    # 1. discriminator: real -> 1, fake -> 0; the fake is detached so G gets no gradient here
    fake = G(z)  # (B, x_dim)
    loss_d = d_loss(D(real), D(fake.detach()))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    # 2. generator: non-saturating loss through the updated discriminator
    loss_g = g_loss(D(G(z)))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return float(loss_d.detach()), float(loss_g.detach())


def train_gan(X, z_dim=4, hidden=32, n_steps=600, batch_size=128, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    G, D = Generator(z_dim, hidden, X.shape[1]), Discriminator(X.shape[1], hidden)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    losses = []
    for _ in range(n_steps):
        real = X[torch.randint(0, X.shape[0], (batch_size,))]  # (batch, x_dim)
        z = torch.randn(batch_size, z_dim)
        losses.append(train_step(G, D, opt_g, opt_d, real, z))
    return G, D, losses
