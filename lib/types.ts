/**
 * Names for the tfjs types that appear in particlegan's API.
 *
 * @module
 */
import type * as tf from "./tf.ts";

/** A tfjs tensor of any rank. */
export type Tensor = tf.Tensor;
/** A rank-1 tfjs tensor. */
export type Tensor1D = tf.Tensor1D;
/** A rank-2 tfjs tensor. */
export type Tensor2D = tf.Tensor2D;
/** A rank-0 tfjs tensor. */
export type Scalar = tf.Scalar;
/** A trainable tfjs variable of any rank. */
export type Variable = tf.Variable;
