using Akka.Configuration;
using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;

namespace Cofi.Host.Runtime;

/// <summary>What a command asked for: database, configuration file, and the overrides its options make.</summary>
public sealed record RuntimeOptions(string DatabasePath, string? ConfigFile, int? Gpus, int? LatencyMs, string? CallLog, NodeSettings? Cluster = null)
{
    public const string DatabaseVariable = "COFI_DB";
    public const string LatencyVariable = "COFI_LATENCY_MS";

    /// <summary>An SQLite file path, or a MySQL / MariaDB connection string (the server is asked which it is).</summary>
    public DatabaseSettings Database => DatabaseSettings.Parse(DatabasePath);

    public static string DefaultDatabasePath => Environment.GetEnvironmentVariable(DatabaseVariable) is { Length: > 0 } fromEnv ? fromEnv : "cofi.db";

    /// <summary>COFI_LATENCY_MS: what <c>--latency</c> sets, for a process configured only by its environment (a container).</summary>
    public static int? LatencyFromEnvironment(Func<string, string?> environment)
    {
        if (environment(LatencyVariable) is not { } raw || raw.Trim().Length == 0) return null;
        return Commands.Duration.TryParse(raw, out var latency)
            ? (int)latency.TotalMilliseconds
            : throw new InvalidConfigurationException(LatencyVariable, $"'{raw}' is not {Commands.Duration.Hint}");
    }

    /// <summary>The loaded configuration with this command's overrides; throws <see cref="InvalidConfigurationException"/> naming the key.</summary>
    public (Config Config, CofiSettings Settings) LoadConfiguration()
    {
        var overrides = new List<string>();
        if (Gpus is { } gpus) overrides.Add($"cofi.simulated.gpu-machines = {gpus}");
        if (CallLog is { } log) overrides.Add($"cofi.simulated.call-log = \"{log.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
        var config = CofiConfig.Load(ConfigFile, overrides.ToArray());
        if (LatencyMs is { } latency)
        {
            if (latency < 0) throw new InvalidConfigurationException("--latency", $"must be at least 0 ms (got {latency})");
            // The demo's --latency sets every model stage to the same simulated latency.
            var perStage = CofiSettings.FromConfig(config).Pipeline.Stages
                .Where(s => s.Kind is StageKind.Gpu or StageKind.Llm)
                .Select(s => $"cofi.pipeline.stage.{s.Name}.simulated {{ latency = {latency}ms, spread = {latency / 4}ms }}");
            config = CofiConfig.Load(ConfigFile, overrides.Concat(perStage).ToArray());
        }
        var settings = CofiSettings.FromConfig(config);
        var gpuOverHttp = settings.Pipeline.GpuStages.Any(s => s.Executor == ExecutorKind.Http);
        // A GPU node over HTTP calls its own model services; the embedded process needs the machines listed.
        if (Cluster is null && gpuOverHttp && settings.Gpu.Machines.Count == 0)
            throw new InvalidConfigurationException("cofi.gpu.machines", "must list at least one machine: the gpu stages call model services over HTTP");
        if (Cluster is null && !gpuOverHttp && settings.Simulated.GpuMachines == 0 && settings.Pipeline.GpuStages.Any())
            throw new InvalidConfigurationException("cofi.simulated.gpu-machines", "must be at least 1: the pipeline has gpu stages and this process is their only machine");
        return (config, settings);
    }
}
