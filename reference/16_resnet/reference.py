"""Reference implementation for topic 16: ResNet basic and bottleneck blocks, and a stage."""
import torch
from torch import nn


def _projection(in_channels, out_channels, stride):
    # Identity when the shapes already agree; else a strided 1x1 convolution and its BatchNorm.
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(out_channels))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = _projection(in_channels, out_channels, stride)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))  # (B, C_out, H', W')
        out = self.bn2(self.conv2(out))  # no ReLU before the addition
        return torch.relu(out + self.shortcut(x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, mid_channels, stride=1):
        super().__init__()
        out_channels = mid_channels * self.expansion
        self.conv1 = nn.Conv2d(in_channels, mid_channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid_channels)
        # The stride sits on the 3x3 convolution (ResNet v1.5), not on the first 1x1.
        self.conv2 = nn.Conv2d(mid_channels, mid_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid_channels)
        self.conv3 = nn.Conv2d(mid_channels, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = _projection(in_channels, out_channels, stride)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))  # (B, mid, H, W)
        out = torch.relu(self.bn2(self.conv2(out)))  # (B, mid, H', W')
        out = self.bn3(self.conv3(out))  # (B, 4 mid, H', W')
        return torch.relu(out + self.shortcut(x))


def make_stage(block, in_channels, channels, num_blocks, stride):
    layers = [block(in_channels, channels, stride)]  # only the first block changes shape
    for _ in range(num_blocks - 1):
        layers.append(block(channels * block.expansion, channels, 1))
    return nn.Sequential(*layers)
