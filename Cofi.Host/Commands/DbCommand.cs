using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Cofi.Actors.Configuration;
using Cofi.Actors.ReadModel;

namespace Cofi.Host.Commands;

/// <summary><c>db prune --older-than 90d [--archive]</c>: retention for the execution log.</summary>
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
            if (options.Database.SqliteFile is { } file && !File.Exists(file))
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
        return new Command("db", "Maintain the read-model tables.") { prune };
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
