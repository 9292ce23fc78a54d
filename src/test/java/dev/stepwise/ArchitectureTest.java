package dev.stepwise;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rule of docs/architecture.md (Packages): engine knows neither edge nor storage;
 * storage knows no edge.
 */
class ArchitectureTest {

  static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.stepwise");
  }

  @Test
  void engineDependsOnNeitherHttpNorPersistence() {
    noClasses().that().resideInAPackage("dev.stepwise.engine..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("dev.stepwise.http..", "dev.stepwise.persistence..")
        .check(production);
  }

  @Test
  void persistenceDoesNotDependOnHttp() {
    noClasses().that().resideInAPackage("dev.stepwise.persistence..")
        .should().dependOnClassesThat().resideInAPackage("dev.stepwise.http..")
        .check(production);
  }

  /** The engine reports through its ExecutionObserver port; Micrometer stays at the edge. */
  @Test
  void onlyTheMetricsPackageUsesMicrometer() {
    noClasses().that().resideOutsideOfPackage("dev.stepwise.http.metrics..")
        .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
        .check(production);
  }

  /** The routes use the metrics, never the other way round. */
  @Test
  void metricsDoNotDependOnTheRoutes() {
    noClasses().that().resideInAPackage("dev.stepwise.http.metrics..")
        .should().dependOnClassesThat().resideInAPackage("dev.stepwise.http")
        .check(production);
  }

  @Test
  void engineDoesNotTalkToTheDatabaseDirectly() {
    noClasses().that().resideInAPackage("dev.stepwise.engine..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "org.apache.pekko.persistence.jdbc..", "slick..")
        .check(production);
  }
}
