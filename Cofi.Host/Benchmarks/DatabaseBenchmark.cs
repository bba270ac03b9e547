using Cofi.Actors.Hosting;
using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Inputs;
using Cofi.Actors.Logging;
using Cofi.Actors.Persistence;
using Cofi.Host.Runtime;

namespace Cofi.Host.Benchmarks;

/// <summary>
/// Runs one batch on MySQL / MariaDB with zero-latency simulated GPUs and measures what it cost the database: write
/// statements from the server's own counters (SHOW GLOBAL STATUS Com_insert, Com_update, Com_delete), split into the
/// read model (counted by the EventWriter) and the journal (the rest), rows per batchExecutionLog INSERT, and, on the
/// same server, how many rows a second plain multi-row INSERTs take, as the limit the batch is measured against.
/// </summary>
public static class DatabaseBenchmark
{
    private static readonly string[] Counters = ["Com_insert", "Com_update", "Com_delete"];

    public sealed record Figures(
        int Files,
        long FileStages,
        TimeSpan BatchElapsed,
        TimeSpan Elapsed,
        long WriteStatements,
        long ReadModelStatements,
        EventWriterStats Writer,
        IReadOnlyDictionary<string, long> CounterDeltas,
        double BulkRowsPerSecond,
        long PeakRssBytes)
    {
        public long JournalStatements => WriteStatements - ReadModelStatements;

        public double FileStagesPerSecond => FileStages / Elapsed.TotalSeconds;
    }

    public static async Task<Figures> RunAsync(Config config, CofiSettings settings, DatabaseSettings db, int files, string workDir)
    {
        if (!db.IsMySql) throw new InvalidConfigurationException("--db", "the database benchmark needs a MySQL / MariaDB connection string");
        var input = Path.Combine(workDir, "input");
        SampleBatch.Generate(input, files, 0);

        var before = ReadCounters(db);
        Figures figures;
        await using (var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: false), config, settings, db))
        {
            var clock = Stopwatch.StartNew();
            var accepted = await runtime.BatchManager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, ResumeUnfinished: false), TimeSpan.FromMinutes(1));
            var finished = await runtime.BatchManager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(accepted.BatchId), TimeSpan.FromMinutes(30));
            var batchElapsed = clock.Elapsed;
            var writer = await runtime.EventWriter.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromMinutes(5));
            // The batch counts as done once the read model holds all of it, not when the last stage recorded.
            var elapsed = clock.Elapsed;
            // Stopping the runtime writes what is left (final snapshots); the counters are read after it.
            figures = new Figures(files, finished.Stages.Sum(s => s.Settled), batchElapsed, elapsed, 0, writer.Statements, writer,
                new Dictionary<string, long>(), 0, 0);
        }
        var after = ReadCounters(db);
        var deltas = Counters.ToDictionary(c => c, c => after[c] - before[c]);
        var peak = PeakMemory.Bytes();
        var bulk = BulkInsertRowsPerSecond(db, rows: figures.FileStages, rowsPerStatement: 500);
        return figures with { WriteStatements = deltas.Values.Sum(), CounterDeltas = deltas, BulkRowsPerSecond = bulk, PeakRssBytes = peak };
    }

    public static void Print(Figures f)
    {
        Console.WriteLine($"files: {f.Files:N0} x 9 stages, zero-latency simulated GPUs");
        Console.WriteLine($"elapsed: {f.Elapsed.TotalSeconds:0.00} s from submission to the read model holding the whole batch (last stage record at {f.BatchElapsed.TotalSeconds:0.00} s)");
        Console.WriteLine($"file-stages per second: {f.FileStagesPerSecond:N0} ({f.FileStages:N0} file-stages)");
        Console.WriteLine($"write statements: {f.WriteStatements:N0} ({string.Join(", ", f.CounterDeltas.Select(d => $"{d.Key} {d.Value:N0}"))})");
        Console.WriteLine($"  journal and snapshots: {f.JournalStatements:N0}");
        Console.WriteLine($"  read model: {f.ReadModelStatements:N0} (of which batchExecutionLog INSERTs {f.Writer.LogStatements:N0})");
        Console.WriteLine($"rows per batchExecutionLog INSERT: {f.Writer.RowsPerLogInsert:N0} ({f.Writer.LogRows:N0} rows)");
        Console.WriteLine($"read-model rows: {f.Writer.Rows:N0} in {f.Writer.Flushes:N0} flushes, largest flush delay {f.Writer.LargestFlushDelay.TotalMilliseconds:N0} ms");
        Console.WriteLine($"peak RSS: {f.PeakRssBytes / (1024.0 * 1024.0):0} MiB");
        Console.WriteLine($"raw bulk insert on this server: {f.BulkRowsPerSecond:N0} rows per second (into a copy of batchExecutionLog, multi-row INSERTs of 500, one transaction each)");
        var rate = f.Writer.Rows / f.Elapsed.TotalSeconds;
        Console.WriteLine($"read-model rows per second in the batch: {rate:N0} ({rate / f.BulkRowsPerSecond:P0} of the raw bulk rate, with upserts and the journal on the same server)");
    }

    private static Dictionary<string, long> ReadCounters(DatabaseSettings db)
    {
        using var connection = db.OpenRawConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SHOW GLOBAL STATUS WHERE Variable_name IN ({string.Join(", ", Counters.Select(c => $"'{c}'"))})";
        using var reader = command.ExecuteReader();
        var values = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read()) values[reader.GetString(0)] = long.Parse(reader.GetString(1));
        return Counters.ToDictionary(c => c, c => values.GetValueOrDefault(c));
    }

    /// <summary>Rows per second into a scratch copy of batchExecutionLog (its indexes included), with payloads of about 200 bytes.</summary>
    private static double BulkInsertRowsPerSecond(DatabaseSettings db, long rows, int rowsPerStatement)
    {
        using var connection = db.OpenRawConnection();
        Execute(connection, "DROP TABLE IF EXISTS bench_bulk_insert");
        // Same columns and indexes as the execution log, so the rate is the limit the EventWriter works against.
        Execute(connection, "CREATE TABLE bench_bulk_insert LIKE batchExecutionLog");
        var payload = "{\"text\":\"" + new string('x', 180) + "\"}";
        var clock = Stopwatch.StartNew();
        for (long start = 0; start < rows; start += rowsPerStatement)
        {
            var count = (int)Math.Min(rowsPerStatement, rows - start);
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder("INSERT INTO bench_bulk_insert (batchId, stage, eventType, fileName, status, payload, `timestamp`) VALUES ");
            for (var r = 0; r < count; r++)
            {
                if (r > 0) sql.Append(", ");
                sql.Append($"(1, 'stt', 'file_complete', @f{r}, 'done', @p{r}, @t{r})");
                Add(command, $"f{r}", $"call-{start + r:D6}.wav");
                Add(command, $"p{r}", payload);
                Add(command, $"t{r}", DateTime.UtcNow);
            }
            command.CommandText = sql.ToString();
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Execute(connection, "DROP TABLE bench_bulk_insert");
        return rows / seconds;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
