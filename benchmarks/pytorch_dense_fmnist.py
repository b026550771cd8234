"""The notes' dense 784-128-64-32 autoencoder (ReLU, Sigmoid output) on Fashion-MNIST in plain PyTorch,
as the reference for latentwatch's DJL epoch time: same data, 5 epochs, Adam 1e-3, batch 64, MSE, one
intra-op thread. Run with Debian's python3-torch: /usr/bin/python3 benchmarks/pytorch_dense_fmnist.py DIR
Prints one line per epoch and the test reconstruction MSE."""
import gzip, struct, sys, time
import numpy as np
import torch
import torch.nn as nn

def idx(path):
    with gzip.open(path, 'rb') as f:
        magic, n, rows, cols = struct.unpack('>IIII', f.read(16))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows * cols).astype(np.float32) / 255.0

data = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/fashion-mnist'
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(threads)
torch.manual_seed(42)
train = torch.from_numpy(idx(f'{data}/train-images-idx3-ubyte.gz'))
test = torch.from_numpy(idx(f'{data}/t10k-images-idx3-ubyte.gz'))
model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 32),
                      nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
g = torch.Generator().manual_seed(42)
times = []
for epoch in range(1, 6):
    perm = torch.randperm(train.shape[0], generator=g)
    start = time.perf_counter()
    total = 0.0
    for i in range(0, train.shape[0], 64):
        x = train[perm[i:i + 64]]
        opt.zero_grad()
        loss = loss_fn(model(x), x)
        loss.backward()
        opt.step()
        total += loss.item() * x.shape[0]
    times.append(time.perf_counter() - start)
    print(f'epoch={epoch} loss={total / train.shape[0]:.6f} epoch_s={times[-1]:.2f}', flush=True)
with torch.no_grad():
    mse = ((model(test) - test) ** 2).mean().item()
print(f'pytorch={torch.__version__} threads={threads} mean_epoch_s={sum(times) / len(times):.2f} test_mse={mse:.6f}')
