"""Reference implementation for topic 18: U-Net with skip concatenation that keeps odd sizes."""
import torch
from torch import nn
from torch.nn import functional as F


class DoubleConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))))  # (B, C_out, H, W): same size


def center_crop(x, size):
    h, w = size
    top, left = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2  # the extra pixel stays at the end
    return x[..., top:top + h, left:left + w]


def pad_to_match(x, size):
    dh, dw = size[0] - x.shape[-2], size[1] - x.shape[-1]
    # F.pad takes (left, right, top, bottom); the odd pixel goes to the right / bottom.
    return F.pad(x, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2))


class UNet(nn.Module):
    def __init__(self, in_channels, out_channels, base=8, depth=2):
        super().__init__()
        widths = [base * 2 ** i for i in range(depth + 1)]  # encoder widths, then the bottleneck
        self.downs = nn.ModuleList(
            [DoubleConv(in_channels if i == 0 else widths[i - 1], widths[i]) for i in range(depth)])
        self.bottleneck = DoubleConv(widths[depth - 1], widths[depth])
        # Deepest first: ups[0] takes the bottleneck's output.
        self.ups = nn.ModuleList([nn.ConvTranspose2d(widths[d + 1], widths[d], 2, stride=2)
                                  for d in reversed(range(depth))])
        self.up_convs = nn.ModuleList([DoubleConv(2 * widths[d], widths[d])
                                       for d in reversed(range(depth))])
        self.head = nn.Conv2d(base, out_channels, 1)

    def forward(self, x):
        skips = []
        for down in self.downs:
            x = down(x)  # (B, w_i, H_i, W_i)
            skips.append(x)
            x = F.max_pool2d(x, 2)  # floor: (B, w_i, H_i // 2, W_i // 2)
        x = self.bottleneck(x)
        for up, conv, skip in zip(self.ups, self.up_convs, reversed(skips)):
            x = pad_to_match(up(x), skip.shape[-2:])  # 2 * (H_i // 2) -> H_i
            x = conv(torch.cat([skip, x], dim=1))  # skip first, then the upsampled map
        return self.head(x)  # (B, out_channels, H, W)
