"""Sliding windows as strided slices, shared by convolution and pooling.

A 2-D window with kernel (kh, kw), stride (sh, sw) and dilation (dh, dw) reads, at kernel
offset (i, j), the rows ``i*dh, i*dh + sh, ...`` and columns ``j*dw, j*dw + sw, ...`` of the
padded input: one strided slice per offset. Copying the kh*kw slices side by side is im2col;
adding them back is col2im, its adjoint. Both loop over kernel offsets only, never over
pixels or batch items.
"""


def sliding_length(padded_size, kernel, stride, dilation):
    """How many windows fit along an axis of ``padded_size`` elements."""
    return (padded_size - dilation * (kernel - 1) - 1) // stride + 1


def window_slices(kernel, stride, dilation, out_hw):
    """``(i, j, rows, cols)`` for every kernel offset in row-major order: ``rows``/``cols`` are the
    slices of the padded input that offset (i, j) reads for all ``out_hw`` windows at once."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    for i in range(kh):
        for j in range(kw):
            yield (i, j, slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
                   slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def im2col(source, columns, stride, dilation):
    """Fill ``columns`` (C, kh, kw, Ho, Wo, n) from ``source`` (C, Hp, Wp, n): entry
    [c, i, j, y, x, n] = source[c, y*sh + i*dh, x*sw + j*dw, n]. Seen as a (C*kh*kw, Ho*Wo*n)
    matrix the columns meet the weight in a single matrix product. With the batch innermost
    each slice copies runs of Wo*n contiguous numbers rather than rows of Wo."""
    kernel, out_hw = columns.shape[1:3], columns.shape[3:5]
    for i, j, rows, cols in window_slices(kernel, stride, dilation, out_hw):
        columns[:, i, j] = source[:, rows, cols]
    return columns


def col2im(columns, target, stride, dilation):
    """Add ``columns`` (C, kh, kw, Ho, Wo, n) onto ``target`` (C, Hp, Wp, n): the adjoint of
    :func:`im2col`, where overlapping windows accumulate."""
    kernel, out_hw = columns.shape[1:3], columns.shape[3:5]
    for i, j, rows, cols in window_slices(kernel, stride, dilation, out_hw):
        target[:, rows, cols] += columns[:, i, j]
    return target
