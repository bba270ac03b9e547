using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Cofi.Actors.Configuration;
using Cofi.Actors.ReadModel;
using Cofi.Host.Benchmarks;

namespace Cofi.Host.Commands;

/// <summary><c>db prune --older-than 90d [--archive]</c>: retention for the execution log; <c>db bench</c>: what a batch costs the database.</summary>
public static partial class DbCommand
{
    public static Command Create(CommonOptions common)
    {
        var olderThan = new Option<string>("--older-than") { Description = "age of the rows to remove: a number and d, h or m (e.g. 90d)", Required = true };
        var archive = new Option<bool>("--archive") { Description = "copy the rows into batchExecutionLog_archive before deleting them" };
        var chunk = new Option<int>("--chunk") { Description = "rows per transaction, so the table is never locked for long", DefaultValueFactory = _ => 5_000 };
        var prune = new Command("prune", "Delete batchExecutionLog rows older than an age, optionally archiving them first.") { olderThan, archive, chunk };
        prune.Options.Add(common.Database);
        prune.Options.Add(common.Config);
        prune.SetAction((result, _) => CommandHost.RunAsync(() =>
        {
            var age = ParseAge(result.GetValue(olderThan)!);
            var rows = result.GetValue(chunk);
            if (rows < 1) throw new InvalidConfigurationException("--chunk", $"must be at least 1 (got {rows})");
            var options = common.Read(result);
            if (options.Database.ReadModel.SqliteFile is { } file && !File.Exists(file))
            {
                Console.WriteLine($"no database at {file}: nothing to prune");
                return Task.FromResult(0);
            }
            var (_, settings) = options.LoadConfiguration();
            ReadModelSchema.Create(options.Database, settings.Pipeline);
            var cutoff = DateTime.UtcNow - age;
            var archiving = result.GetValue(archive);
            var done = ReadModelRetention.Prune(options.Database, cutoff, archiving, rows,
                p => Console.WriteLine($"prune: {p.Deleted:N0} rows deleted so far ({p.Chunks:N0} chunks)"));
            Console.WriteLine(archiving
                ? $"pruned: {done.Deleted:N0} batchExecutionLog rows older than {cutoff:yyyy-MM-dd HH:mm:ss} UTC, {done.Archived:N0} of them copied into {ReadModelTables.ExecutionLogArchive} first, in {done.Chunks:N0} chunks"
                : $"pruned: {done.Deleted:N0} batchExecutionLog rows older than {cutoff:yyyy-MM-dd HH:mm:ss} UTC, in {done.Chunks:N0} chunks");
            return Task.FromResult(0);
        }));
        return new Command("db", "Maintain and measure the database.") { prune, Bench(common) };
    }

    private static Command Bench(CommonOptions common)
    {
        var files = new Option<int>("--files") { Description = "number of sample files in the batch", DefaultValueFactory = _ => 10_000 };
        var command = new Command("bench", "Run one batch on zero-latency simulated GPUs against a MySQL / MariaDB database and print what it cost the database "
            + "(use a server of its own: the statement counters are server-wide; scripts/bench-db starts one).") { files };
        command.Options.Add(common.Database);
        command.Options.Add(common.Config);
        command.Options.Add(common.Gpus);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var count = result.GetValue(files);
            if (count < 1) throw new InvalidConfigurationException("--files", $"must be at least 1 (got {count})");
            var options = common.Read(result) with { LatencyMs = 0 };
            var (config, settings) = options.LoadConfiguration();
            var workDir = Path.Combine(Path.GetTempPath(), $"cofi-db-bench-{Environment.ProcessId}");
            try
            {
                DatabaseBenchmark.Print(await DatabaseBenchmark.RunAsync(config, settings, options.Database, count, workDir));
                return 0;
            }
            finally
            {
                if (Directory.Exists(workDir)) Directory.Delete(workDir, recursive: true);
            }
        }));
        return command;
    }

    /// <summary>"90d", "12h", "30m" as a duration; anything else names the option.</summary>
    public static TimeSpan ParseAge(string text)
    {
        var match = AgePattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000)
            throw new InvalidConfigurationException("--older-than", $"must be a number of days, hours or minutes such as 90d, 12h or 30m (got '{text}')");
        return match.Groups[2].Value switch
        {
            "d" => TimeSpan.FromDays(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromMinutes(n),
        };
    }

    [GeneratedRegex("^([0-9]+)([dhm])$")]
    private static partial Regex AgePattern();
}
