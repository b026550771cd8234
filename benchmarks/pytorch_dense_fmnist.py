"""The notes' dense 784-128-64-32 autoencoder (ReLU, Sigmoid output) on Fashion-MNIST in plain PyTorch,
as the reference for latentwatch's DJL epoch time: same data, 5 epochs, Adam 1e-3, batch 64, MSE, one
intra-op thread. Run with Debian's python3-torch: /usr/bin/python3 benchmarks/pytorch_dense_fmnist.py DIR [THREADS]
Prints one line per epoch and the test reconstruction MSE.

Trains on exactly the 48 000 rows latentwatch trains on: `latentwatch train` holds out 20 % of the training
images with a java.util.Random(seed=42) shuffle (AutoencoderTrainer.Split), reproduced below, so both
frameworks see the same rows and the same number of batches per epoch. Like the DJL run, an epoch's time
covers the training batches only (not the per-epoch validation pass)."""
import gzip, struct, sys, time
import numpy as np
import torch
import torch.nn as nn


def idx(path):
    with gzip.open(path, 'rb') as f:
        magic, n, rows, cols = struct.unpack('>IIII', f.read(16))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows * cols).astype(np.float32) / 255.0


class JavaRandom:
    """java.util.Random (48-bit LCG), enough of it for Collections-style shuffles."""
    MULT, MASK = 0x5DEECE66D, (1 << 48) - 1

    def __init__(self, seed):
        self.seed = (seed ^ self.MULT) & self.MASK

    def next_bits(self, bits):
        self.seed = (self.seed * self.MULT + 0xB) & self.MASK
        r = self.seed >> (48 - bits)
        return r - (1 << bits) if r >= 1 << (bits - 1) and bits == 32 else r

    def next_int(self, bound):
        r = self.next_bits(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if -(1 << 31) <= u - r + m < (1 << 31):
                return r
            u = self.next_bits(31)


def latentwatch_split(n, validation_fraction=0.2, seed=42):
    """AutoencoderTrainer.Split.of: shuffle with new Random(seed ^ 0x5DEECE66D), first round(n * f) rows validate."""
    order = list(range(n))
    rnd = JavaRandom(seed ^ 0x5DEECE66D)
    for i in range(n - 1, 0, -1):
        j = rnd.next_int(i + 1)
        order[i], order[j] = order[j], order[i]
    n_val = max(1, int(round(n * validation_fraction)))
    return np.array(order[n_val:]), np.array(order[:n_val])


data = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/fashion-mnist'
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(threads)
torch.set_flush_denormal(True)  # denormal weights/gradients late in training are otherwise very slow on CPU
torch.manual_seed(42)
images = idx(f'{data}/train-images-idx3-ubyte.gz')
train_idx, _ = latentwatch_split(images.shape[0])
train = torch.from_numpy(np.ascontiguousarray(images[train_idx]))
test = torch.from_numpy(idx(f'{data}/t10k-images-idx3-ubyte.gz'))
model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 32),
                      nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
g = torch.Generator().manual_seed(42)
n = train.shape[0]
times = []
for epoch in range(1, 6):
    # shuffle once per epoch as one gather, then take contiguous slices per batch (no per-row indexing)
    shuffled = train[torch.randperm(n, generator=g)]
    start = time.perf_counter()
    total = torch.zeros(())
    for i in range(0, n, 64):
        x = shuffled[i:i + 64]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), x)
        loss.backward()
        opt.step()
        total += loss.detach() * x.shape[0]
    times.append(time.perf_counter() - start)
    print(f'epoch={epoch} rows={n} loss={total.item() / n:.6f} epoch_s={times[-1]:.2f}', flush=True)
with torch.no_grad():
    mse = ((model(test) - test) ** 2).mean().item()
print(f'pytorch={torch.__version__} threads={torch.get_num_threads()} rows={n} '
      f'mean_epoch_s={sum(times) / len(times):.2f} test_mse={mse:.6f}')
