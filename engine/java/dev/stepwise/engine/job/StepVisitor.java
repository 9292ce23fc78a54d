package dev.stepwise.engine.job;

/**
 * One method per step type, so that everything that treats types differently (validation, the
 * runner of each type, the API's JSON) says what it does with each: a new step type adds a method
 * here, and each of them fails to compile until it handles it.
 */
public interface StepVisitor<R> {

  R shell(StepDefinition.Shell step);

  R http(StepDefinition.Http step);

  R sleep(StepDefinition.Sleep step);

  R custom(StepDefinition.Custom step);
}
