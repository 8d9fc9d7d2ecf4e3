package org.astropt.stream.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.trainer.ModelCatalog;
import org.astropt.stream.trainer.ModelReleases;
import org.astropt.stream.trainer.TrainerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code astropt models list|promote VERSION|rollback --bootstrap HOST:PORT}: the versions on the models
 * topic, and the two hand moves: serve a version, or bring the previous weights back (docs/TRAINER.md).
 */
@Command(name = "models", description = "List, promote or roll back model versions on the models topic.",
        subcommands = {ModelsCommand.List.class, ModelsCommand.Promote.class, ModelsCommand.Rollback.class})
final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new IllegalArgumentException("say what to do: astropt models list | promote VERSION | rollback");
    }

    /** Options every models subcommand takes. */
    static final class Connection {
        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
        String bootstrap;

        @Mixin
        TrainerOptions trainer;

        TrainerSettings settings() throws IOException { return trainer.settings(bootstrap, Map.of()); }

        ModelReleases releases() throws IOException {
            TrainerSettings s = settings();
            return new ModelReleases(s.bootstrapServers(), topics(), s.modelName(), s.transactionalId() + "-cli");
        }

        Topics topics() throws IOException { return trainer.topics(); }

        /** Runs one release move and says which version serves now. */
        int release(CommandSpec spec, java.util.function.Function<ModelReleases, ModelVersion> move) throws IOException {
            try (ModelReleases releases = releases()) {
                ModelVersion v = move.apply(releases);
                spec.commandLine().getOut().printf("version %d now serves (%s)%n", v.getVersion(), v.getNote());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "One row per version: version, status, held-out loss, sha256 prefix, created.")
    static final class List implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            TrainerSettings s = connection.settings();
            ModelCatalog catalog = ModelCatalog.read(s.bootstrapServers(), connection.topics().name(Topics.MODELS), s.modelName());
            PrintWriter out = spec.commandLine().getOut();
            out.print(table(catalog));
            out.flush();
            return 0;
        }
    }

    @Command(name = "promote", description = "Serve VERSION: re-published as PROMOTED (under a new, higher number when it is older).")
    static final class Promote implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION", description = "Version number, as `astropt models list` shows it.")
        long version;

        @Mixin
        Connection connection;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            return connection.release(spec, r -> r.promote(version));
        }
    }

    @Command(name = "rollback", description = "Bring the previous PROMOTED weights back under a new, higher version.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            return connection.release(spec, ModelReleases::rollback);
        }
    }

    /** The list's table: a header, then a row per version, oldest first. */
    static String table(ModelCatalog catalog) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-8s %-12s %-13s %-12s %s%n",
                "version", "status", "heldout_loss", "sha256", "created"));
        for (ModelVersion v : catalog.versions()) {
            Double loss = v.getMetrics().get("heldout_loss");
            s.append(String.format(Locale.ROOT, "%-8d %-12s %-13s %-12s %s%n", v.getVersion(), v.getStatus(),
                    loss == null || loss.isNaN() ? "-" : String.format(Locale.ROOT, "%.5f", loss),
                    v.getSha256().substring(0, Math.min(12, v.getSha256().length())), v.getCreatedTime()));
        }
        if (catalog.versions().isEmpty()) s.append("(no versions of ").append(catalog.name()).append(" yet)\n");
        return s.toString();
    }
}
