package dev.outboxrelay.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes the outcomes of ended runs: one statement per kind of outcome, all inside the transaction of
 * {@link JobSettleWriter}, so the runs settled together cost one commit (and take the completion
 * record's lock once) however many they are. Runs that another claim holds by now are left to that
 * claim; only the jobs settled here report a completion.
 */
@Component("jobSettlement")
public class JobSettlement {

    private final NamedParameterJdbcTemplate jdbc;
    private final String finished = sql("settle-finished.sql");
    private final String retries = sql("settle-retries.sql");
    private final String failures = sql("settle-failures.sql");
    private final String released = sql("settle-released.sql");

    public JobSettlement(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    private static String sql(String file) {
        try {
            return new ClassPathResource("sql/jobs/" + file).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("missing settle statement sql/jobs/" + file, e);
        }
    }

    /** Settles every given job whose run has ended; answers the ones this claim still held. */
    public List<RunningJob> settle(List<RunningJob> jobs, String owner) {
        Set<UUID> settled = new HashSet<>();
        settled.addAll(run(finished, jobs, RunningJob.Outcome.SUCCEEDED, owner, null));
        settled.addAll(run(retries, jobs, RunningJob.Outcome.RETRY, owner, parameters -> parameters
                .addValue("delays", values(jobs, RunningJob.Outcome.RETRY, RunningJob::retryDelaySeconds, Double[]::new))
                .addValue("errors", values(jobs, RunningJob.Outcome.RETRY, RunningJob::error, String[]::new))));
        settled.addAll(run(failures, jobs, RunningJob.Outcome.FAILED, owner, parameters -> parameters
                .addValue("errors", values(jobs, RunningJob.Outcome.FAILED, RunningJob::error, String[]::new))));
        settled.addAll(run(released, jobs, RunningJob.Outcome.RELEASED, owner, null));
        return jobs.stream().filter(job -> settled.contains(job.id())).toList();
    }

    private List<UUID> run(String statement, List<RunningJob> jobs, RunningJob.Outcome outcome, String owner,
                           Function<MapSqlParameterSource, MapSqlParameterSource> more) {
        String[] ids = values(jobs, outcome, job -> job.id().toString(), String[]::new);
        if (ids.length == 0) {
            return List.of();
        }
        MapSqlParameterSource parameters = new MapSqlParameterSource()
                .addValue("ids", ids)
                .addValue("attempts", values(jobs, outcome, RunningJob::attempt, Integer[]::new))
                .addValue("owner", owner);
        if (more != null) {
            parameters = more.apply(parameters);
        }
        return jdbc.queryForList(statement, parameters, UUID.class);
    }

    private static <T> T[] values(List<RunningJob> jobs, RunningJob.Outcome outcome, Function<RunningJob, T> value,
                                  IntFunction<T[]> array) {
        return jobs.stream().filter(job -> job.outcomeValue() == outcome).map(value).toArray(array);
    }
}
