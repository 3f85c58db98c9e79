"""The part of PyTorch's API that minigrad covers, checked by tests/engine/test_api_surface.py.

Each name must exist in both libraries, take PyTorch's parameter names (in PyTorch's order), and
every function here that PyTorch also offers as a ``Tensor`` method must be a method here too.
Add a name when minigrad gains it; the test says what is wrong when the two sides disagree.
"""

# minigrad.<name> and torch.<name>
FUNCTIONS = """
    BoolTensor ByteTensor DoubleTensor FloatTensor HalfTensor IntTensor LongTensor ShortTensor abs absolute
    acos add addbmm addcdiv addcmul addmm addmv all allclose amax amin aminmax any arange arccos arcsin arctan
    arctan2 argmax argmin argsort argwhere as_tensor asarray asin atan atan2 atleast_1d atleast_2d baddbmm
    bernoulli bincount bitwise_and bitwise_not bitwise_or bitwise_xor bmm broadcast_tensors broadcast_to cat
    ceil chunk clamp clamp_max clamp_min clip clone column_stack concat concatenate cos cosh count_nonzero
    cross cumprod cumsum diag diagonal diff dist div divide dot dstack einsum empty empty_like eq equal exp
    exp2 expm1 eye fix flatten flip fliplr flipud float_power floor floor_divide fmod from_numpy full
    full_like gather ge ger get_default_device get_default_dtype get_num_threads get_rng_state greater
    greater_equal gt hstack
    hypot index_add index_fill index_put index_select initial_seed inner is_floating_point is_grad_enabled
    is_tensor isclose isfinite isinf isnan kthvalue le lerp less less_equal linspace load log log10 log1p log2
    log_softmax logaddexp logical_and logical_not logical_or logical_xor logit logspace logsumexp lt
    manual_seed masked_fill masked_scatter masked_select matmul max maximum mean median meshgrid min minimum
    mm moveaxis movedim msort mul multinomial multiply mv nan_to_num nanmean nansum narrow ne neg negative
    nonzero norm normal not_equal numel ones ones_like outer permute pow prod rand rand_like randint
    randint_like randn randn_like randperm ravel reciprocal relu remainder repeat_interleave reshape roll
    round rsqrt rsub save scatter scatter_add seed select set_default_device set_default_dtype
    set_num_threads set_printoptions set_rng_state sgn sigmoid sign sin sinh softmax sort split sqrt square squeeze stack std
    std_mean sub subtract sum swapaxes swapdims t take take_along_dim tan tanh tensor tensor_split tile topk
    trace transpose tril tril_indices triu triu_indices true_divide trunc unbind unflatten unique unsqueeze
    var var_mean vstack where xlogy zeros zeros_like
""".split()

# minigrad.Tensor.<name> and torch.Tensor.<name>
METHODS = """
    abs abs_ absolute absolute_ acos acos_ add add_ addbmm addcdiv addcdiv_ addcmul addcmul_ addmm addmv all
    allclose amax amin aminmax any arccos arccos_ arcsin arcsin_ arctan arctan2 arctan2_ arctan_ argmax argmin
    argsort argwhere asin asin_ atan atan2 atan2_ atan_ backward baddbmm bernoulli bernoulli_ bincount
    bitwise_and bitwise_and_ bitwise_left_shift_ bitwise_not bitwise_or bitwise_or_ bitwise_right_shift_
    bitwise_xor bitwise_xor_ bmm bool broadcast_to byte cauchy_ ceil ceil_ char chunk clamp clamp_ clamp_max
    clamp_max_ clamp_min clamp_min_ clip clip_ clone contiguous copy_ cos cos_ cosh cosh_ count_nonzero cpu
    cross cuda cumprod cumsum data_ptr detach detach_ diag diagonal diff dim dist div div_ divide divide_ dot
    double element_size eq equal exp exp2 exp2_ exp_ expand expand_as expm1 expm1_ exponential_ fill_
    fill_diagonal_ fix flatten flip fliplr flipud float float_power floor floor_ floor_divide floor_divide_
    fmod fmod_ frac frac_ gather ge geometric_ ger greater greater_equal gt half hypot hypot_ index_add
    index_add_ index_fill index_fill_ index_put index_put_ index_select inner int is_complex is_contiguous
    is_floating_point isclose isfinite isinf isnan item kthvalue le lerp lerp_ less less_equal log log10
    log10_ log1p log1p_ log2 log2_ log_ log_normal_ log_softmax logaddexp logical_and logical_and_ logical_not
    logical_not_ logical_or logical_or_ logical_xor logical_xor_ logit logit_ logsumexp long lt masked_fill
    masked_fill_ masked_scatter masked_scatter_ masked_select matmul max maximum mean median min minimum mm
    moveaxis movedim msort mul mul_ multinomial multiply multiply_ mv nan_to_num nan_to_num_ nanmean nansum
    narrow ndimension ne neg neg_ negative negative_ nelement new_empty new_full new_ones new_tensor new_zeros
    nonzero norm normal_ not_equal numel numpy outer permute pow pow_ prod random_ ravel reciprocal
    reciprocal_ register_hook relu relu_ remainder remainder_ repeat repeat_interleave requires_grad_ reshape
    reshape_as retain_grad roll round round_ rsqrt rsqrt_ scatter scatter_ scatter_add scatter_add_ select sgn
    short sigmoid sigmoid_ sign sign_ sin sin_ sinh sinh_ size softmax sort split sqrt sqrt_ square square_
    squeeze std storage_offset stride sub sub_ subtract subtract_ sum swapaxes swapdims t take take_along_dim
    tan tan_ tanh tanh_ tensor_split tile to tolist topk trace transpose tril triu true_divide true_divide_
    trunc trunc_ type type_as unbind unflatten uniform_ unique unsqueeze var view view_as where xlogy xlogy_
    zero_
""".split()

# attributes and properties of a tensor (no parameters to compare)
ATTRIBUTES = """
    H T data device dtype grad grad_fn is_cuda is_leaf is_sparse mH mT ndim output_nr requires_grad
    retains_grad shape
""".split()
