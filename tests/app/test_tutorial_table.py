"""The tutorial's gradient-descent table (lr = 0.02, x0 = 2.0), digit for digit."""
import pytest

import minigrad
from oracle import reference

# Printed by the source tutorial running PyTorch (see ../shared/docs/seed-notes.md).
TUTORIAL_TABLE = """\
Iter:0, X:     2.0, X.grad:    16.0, loss:      16.0
Iter:1, X:1.6800000667572021, X.grad:13.440000534057617, loss:11.28960132598877
Iter:2, X:1.4112000465393066, X.grad:11.289600372314453, loss:7.9659423828125
Iter:3, X:1.1854079961776733, X.grad:9.483263969421387, loss:5.6207685470581055
Iter:4, X:0.9957427382469177, X.grad:7.965941905975342, loss:3.9660143852233887
Iter:5, X:0.8364238739013672, X.grad:6.6913909912109375, loss:2.79841947555542
Iter:6, X:0.7025960683822632, X.grad:5.6207685470581055, loss:1.9745649099349976
Iter:7, X:0.5901806950569153, X.grad:4.721445560455322, loss:1.393252968788147
Iter:8, X:0.4957517981529236, X.grad:3.9660143852233887, loss:0.9830793738365173
Iter:9, X:0.4164315164089203, X.grad:3.3314521312713623, loss:0.6936608552932739
Iter:10, X:0.3498024642467499, X.grad:2.798419713973999, loss:0.48944705724716187
Iter:11, X:0.29383406043052673, X.grad:2.350672483444214, loss:0.3453538119792938
Iter:12, X:0.2468206137418747, X.grad:1.9745649099349976, loss:0.2436816543340683
Iter:13, X:0.20732931792736053, X.grad:1.6586345434188843, loss:0.17194178700447083
Iter:14, X:0.17415663599967957, X.grad:1.3932530879974365, loss:0.1213221326470375
Iter:15, X:0.1462915688753128, X.grad:1.1703325510025024, loss:0.08560489118099213
Iter:16, X:0.12288491427898407, X.grad:0.9830793142318726, loss:0.06040280684828758
Iter:17, X:0.10322332382202148, X.grad:0.8257865905761719, loss:0.0426202192902565
Iter:18, X:0.08670759201049805, X.grad:0.6936607360839844, loss:0.030072826892137527
Iter:19, X:0.07283437997102737, X.grad:0.582675039768219, loss:0.021219387650489807"""


def tutorial_loop(torch, lr=0.02, iterations=20):
    """The tutorial's own code, with ``torch`` being either minigrad or PyTorch."""
    def func(x_t):
        return torch.pow(2 * x_t, 2)  # y = 4 x^2, dy/dx = 8x

    x = torch.tensor([2.], requires_grad=True)
    lines = []
    for i in range(iterations):
        y = func(x)
        y.backward()
        lines.append("Iter:{}, X:{:8}, X.grad:{:8}, loss:{:10}".format(
            i, x.detach().numpy()[0], x.grad.detach().numpy()[0], y.item()))
        x.data.sub_(lr * x.grad)  # x -= lr * grad, outside autograd
        x.grad.zero_()            # gradients accumulate unless zeroed
    return "\n".join(lines)


def test_minigrad_prints_the_tutorial_table():
    assert tutorial_loop(minigrad) == TUTORIAL_TABLE


def test_pytorch_prints_the_same_table():
    assert reference(tutorial_loop) == tutorial_loop(minigrad)


@pytest.mark.parametrize("lr", [0.01, 0.125, 0.2, 0.5])
def test_other_learning_rates_match_pytorch(lr):
    assert tutorial_loop(minigrad, lr, 30) == reference(lambda torch: tutorial_loop(torch, lr, 30))
