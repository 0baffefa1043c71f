package org.squeeze4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering of DESIGN.md, enforced on the compiled main classes: the core (data,
 * models, measure, the techniques, the engine) never reaches up into presentation (notebook,
 * report, cli, XChart, Tablesaw), and the foundation (util, data, models with its network view)
 * depends on no technique; the engine is a runtime that knows neither DL4J nor quantization, and
 * only the lowering ({@code lower}) joins the two, so that no technique depends on it.
 */
class LayeringTest {
    private static final String[] CORE = {"org.squeeze4j.util..", "org.squeeze4j.data..", "org.squeeze4j.models..",
        "org.squeeze4j.measure..", "org.squeeze4j.prune..", "org.squeeze4j.share..", "org.squeeze4j.lowrank..",
        "org.squeeze4j.sparse..", "org.squeeze4j.quant..", "org.squeeze4j.distill..", "org.squeeze4j.engine..", "org.squeeze4j.lower.."};

    private static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.squeeze4j");
    }

    @Test
    void coreDoesNotDependOnPresentation() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("org.squeeze4j.notebook..", "org.squeeze4j.report..",
                        "org.squeeze4j.cli..", "org.knowm.xchart..", "tech.tablesaw..")
                .check(classes);
    }

    @Test
    void foundationDependsOnNoTechnique() {
        noClasses().that().resideInAnyPackage("org.squeeze4j.util..", "org.squeeze4j.data..", "org.squeeze4j.models..")
                .should().dependOnClassesThat().resideInAnyPackage("org.squeeze4j.measure..", "org.squeeze4j.prune..",
                        "org.squeeze4j.share..", "org.squeeze4j.lowrank..", "org.squeeze4j.sparse..", "org.squeeze4j.quant..",
                        "org.squeeze4j.distill..", "org.squeeze4j.engine..", "org.squeeze4j.lower..")
                .check(classes);
    }

    @Test
    void engineIsARuntimeWithoutDl4jOrQuantization() {
        noClasses().that().resideInAPackage("org.squeeze4j.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.squeeze4j.quant..", "org.squeeze4j.lower..",
                        "org.squeeze4j.models..", "org.deeplearning4j..")
                .check(classes);
    }

    @Test
    void onlyTheLoweringJoinsTechniquesAndTheEngine() {
        noClasses().that().resideInAnyPackage("org.squeeze4j.quant..", "org.squeeze4j.prune..", "org.squeeze4j.share..",
                        "org.squeeze4j.lowrank..", "org.squeeze4j.sparse..", "org.squeeze4j.distill..", "org.squeeze4j.measure..")
                .should().dependOnClassesThat().resideInAPackage("org.squeeze4j.lower..")
                .check(classes);
    }
}
