package dev.stepwise.engine.step;

/**
 * Marker for the private messages of step child actors. The execution never sends them any; it
 * only spawns a child and stops it, which is how a force stop kills the work.
 */
public interface StepMessage {}
