# PyTorch rebuild of genint's CIFAR ResNets (nn/models/resnet.h: resnet20/32/56, He et al. 2016 §4.2 with option-B
# shortcuts) from torchvision's BasicBlock, for the goldens (tools/golden) and tools/bench-nn-vs-pytorch.
"""He et al.'s CIFAR ResNet with 6n + 2 layers: conv1 3x3/1 3→16, bn1, ReLU (no max pool), layer1..layer3 of n
torchvision BasicBlocks with 16/32/64 planes (stride 2 at the first block of layer2 and layer3), global average pool,
fc 64→num_classes. Where a block changes the shape its shortcut is option B, torchvision's downsample =
Sequential(conv1x1(stride), BatchNorm2d), so state_dict names follow torchvision's ResNet (conv1.weight, bn1.*,
layer1.0.conv1.weight, ..., layer2.0.downsample.0.weight, fc.weight). Attribute names match torchvision's ResNet
(conv1, bn1, relu, layer1..3, avgpool, fc) so code that walks a torchvision ResNet's modules walks this one."""
import torch
from torchvision.models.resnet import BasicBlock

BLOCKS_PER_STAGE = {"resnet20": 3, "resnet32": 5, "resnet56": 9}
STAGE_PLANES = (16, 32, 64)


class CifarResNet(torch.nn.Module):
    def __init__(self, architecture="resnet20", num_classes=10):
        super().__init__()
        if architecture not in BLOCKS_PER_STAGE:
            raise ValueError(f"unknown CIFAR ResNet {architecture!r}; known: {', '.join(BLOCKS_PER_STAGE)}")
        blocks = BLOCKS_PER_STAGE[architecture]
        self.conv1 = torch.nn.Conv2d(3, STAGE_PLANES[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(STAGE_PLANES[0])
        self.relu = torch.nn.ReLU(inplace=True)
        in_planes = STAGE_PLANES[0]
        for stage, planes in enumerate(STAGE_PLANES):
            stride = 1 if stage == 0 else 2
            layers = []
            for block in range(blocks):
                block_stride = stride if block == 0 else 1
                downsample = None
                if block_stride != 1 or in_planes != planes:
                    downsample = torch.nn.Sequential(
                        torch.nn.Conv2d(in_planes, planes, kernel_size=1, stride=block_stride, bias=False),
                        torch.nn.BatchNorm2d(planes))
                layers.append(BasicBlock(in_planes, planes, block_stride, downsample))
                in_planes = planes
            setattr(self, f"layer{stage + 1}", torch.nn.Sequential(*layers))
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(STAGE_PLANES[-1], num_classes)
        for module in self.modules():  # torchvision's ResNet init, which genint's initialize_kaiming follows
            if isinstance(module, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, images):
        features = self.relu(self.bn1(self.conv1(images)))
        features = self.layer3(self.layer2(self.layer1(features)))
        return self.fc(torch.flatten(self.avgpool(features), 1))


def build(architecture, num_classes):
    """A torchvision ResNet (resnet18..152) or a CIFAR one (resnet20/32/56) by name."""
    if architecture in BLOCKS_PER_STAGE:
        return CifarResNet(architecture, num_classes)
    import torchvision
    return torchvision.models.__dict__[architecture](num_classes=num_classes)


def multiply_adds(model, size):
    """Multiply-adds of one size×size image through every conv and linear layer (the figure He et al. quote)."""
    total = [0]

    def count(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            kernel = module.weight.shape[1] * module.weight.shape[2] * module.weight.shape[3]
            total[0] += output.shape[1] * output.shape[2] * output.shape[3] * kernel
        elif isinstance(module, torch.nn.Linear):
            total[0] += module.weight.numel()

    hooks = [module.register_forward_hook(count) for module in model.modules()
             if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for hook in hooks:
        hook.remove()
    return total[0]


if __name__ == "__main__":  # parameter counts and multiply-adds, e.g. for the README
    for name in BLOCKS_PER_STAGE:
        model = CifarResNet(name, 10)
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters (10 classes), "
              f"{multiply_adds(model, 32) / 1e6:.2f} M multiply-adds per 32x32 image")
