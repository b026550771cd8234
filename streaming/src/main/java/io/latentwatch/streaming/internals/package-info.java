/** Implementation of the streaming application; not a public API. */
package io.latentwatch.streaming.internals;
