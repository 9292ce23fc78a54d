package dev.stepwise.http;

import com.fasterxml.jackson.databind.deser.std.StdDelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdDelegatingSerializer;
import com.fasterxml.jackson.databind.util.StdConverter;
import dev.stepwise.engine.job.JobDefinition;
import java.util.List;
import java.util.function.Function;

/**
 * A job's definition in the API's JSON: the body of {@code PUT /api/jobs/{name}}, and the
 * {@code definition} of a job or an execution in responses. {@link #module()} makes it the JSON
 * of every {@link JobDefinition} the API reads or writes, so the journal's form of steps can
 * change without changing the API.
 */
public record JobDocument(
    String description,
    List<StepDocument> steps,
    Integer timeoutSeconds,
    Integer stopGraceSeconds,
    Boolean deadLetter,
    List<StepDocument> onCancel) {

  /** The definition as written, unchecked: {@code JobValidation} says what is wrong with it. */
  public JobDefinition toDefinition() {
    return new JobDefinition(description, each(steps, StepDocument::toDefinition), timeoutSeconds,
        stopGraceSeconds, deadLetter, each(onCancel, StepDocument::toDefinition));
  }

  public static JobDocument of(JobDefinition definition) {
    return new JobDocument(definition.description(), each(definition.steps(), StepDocument::of),
        definition.timeoutSeconds(), definition.stopGraceSeconds(), definition.deadLetter(),
        each(definition.onCancel(), StepDocument::of));
  }

  /** A missing list stays missing and a null step stays null, for validation to name them. */
  private static <A, B> List<B> each(List<A> steps, Function<A, B> convert) {
    return steps == null ? null
        : steps.stream().map(step -> step == null ? null : convert.apply(step)).toList();
  }

  /** Reads and writes every {@link JobDefinition} of the API's JSON as a {@link JobDocument}. */
  static SimpleModule module() {
    return new SimpleModule("job-documents")
        .addDeserializer(JobDefinition.class, new StdDelegatingDeserializer<>(
            new StdConverter<JobDocument, JobDefinition>() {
              @Override
              public JobDefinition convert(JobDocument document) {
                return document.toDefinition();
              }
            }))
        .addSerializer(JobDefinition.class, new StdDelegatingSerializer(
            new StdConverter<JobDefinition, JobDocument>() {
              @Override
              public JobDocument convert(JobDefinition definition) {
                return of(definition);
              }
            }));
  }
}
