"""A training loop for ``MultiWorkerMirroredStrategy``, where Keras 3's ``model.fit`` does not work.

Keras 3 trains under ``MirroredStrategy`` (one machine, several devices) with ``model.fit``, but not under
``MultiWorkerMirroredStrategy`` (keras-team/keras#20585: ``fit`` feeds ``PerReplica`` values to the model).
This loop is TensorFlow's own recipe for that case: ``strategy.experimental_distribute_dataset`` shards
the global batches over the workers, ``strategy.run`` computes each replica's gradients of its share of the
global-batch loss (its sum divided by the number of images in the whole global batch, all-reduced over the
replicas, so the summed gradients are those of the global mean, the last partial batch included, as in
``fit``), and the model's optimizer applies them. It reports the same history keys as ``fit``: "loss" and "val_loss" (per-image means over the
epoch), plus "reconstruction_loss" and "kl_loss" for the VAEs (their ``_elbo_terms``).

Keras and TensorFlow are imported inside the function.
"""

from __future__ import annotations


def fit_distributed(model, strategy, train_data, val_data, *, epochs: int, batch_size: int, callback=None) -> dict:
    """Train ``model`` (built under ``strategy.scope()``) for ``epochs``; return {metric: [per-epoch value]}.

    ``train_data`` / ``val_data`` are batched ``tf.data`` datasets of (inputs, targets) with global batches
    of ``batch_size`` (the last may hold fewer; each step's loss is the mean over the images it holds); ``callback(epoch, logs)`` is called after each epoch.
    """
    import keras
    import tensorflow as tf

    vae = hasattr(model, "_elbo_terms")
    names = ("loss", "reconstruction_loss", "kl_loss") if vae else ("loss",)
    sum_op = tf.distribute.ReduceOp.SUM

    def sums(x, y, training):
        """Per-image loss terms summed over this replica's images (and the regularisers' share)."""
        count = tf.cast(tf.shape(x)[0], tf.float32)
        if vae:
            total, rec, kl = model._elbo_terms((x, y))
            return [total * count, rec * count, kl * count]
        out = model(x, training=training)
        pixels = keras.losses.binary_crossentropy(y[..., None], out[..., None])
        per_image = tf.reduce_mean(tf.reshape(pixels, [tf.shape(x)[0], -1]), axis=1)
        total = tf.reduce_sum(per_image)
        if model.losses:  # e.g. an activity regulariser: once per global batch, split over the replicas
            total += tf.add_n(model.losses) * count
        return [total]

    def train_replica(x, y):
        count = tf.cast(tf.shape(x)[0], tf.float32)
        # the images of the whole global batch (fewer than batch_size in the last one), over every replica
        global_count = tf.distribute.get_replica_context().all_reduce(sum_op, count)
        with tf.GradientTape() as tape:
            terms = sums(x, y, True)
            scaled = terms[0] / tf.maximum(global_count, 1.0)  # this replica's share of the global-batch mean
        grads = tape.gradient(scaled, model.trainable_variables)
        model.optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return [*terms, count]

    def eval_replica(x, y):
        return [*sums(x, y, False), tf.cast(tf.shape(x)[0], tf.float32)]

    @tf.function
    def train_step(x, y):
        return [strategy.reduce(sum_op, v, axis=None) for v in strategy.run(train_replica, args=(x, y))]

    @tf.function
    def eval_step(x, y):
        return [strategy.reduce(sum_op, v, axis=None) for v in strategy.run(eval_replica, args=(x, y))]

    def run(step, data) -> dict:
        totals = [0.0] * (len(names) + 1)
        for x, y in data:
            totals = [t + float(v) for t, v in zip(totals, step(x, y))]
        count = max(totals[-1], 1.0)
        return {name: totals[i] / count for i, name in enumerate(names)}

    train_dist = strategy.experimental_distribute_dataset(train_data)
    val_dist = strategy.experimental_distribute_dataset(val_data)
    history: dict[str, list[float]] = {}
    for epoch in range(epochs):
        logs = run(train_step, train_dist)
        logs.update({f"val_{k}": v for k, v in run(eval_step, val_dist).items()})
        for key, value in logs.items():
            history.setdefault(key, []).append(value)
        if callback is not None:
            callback(epoch, logs)
    return history
