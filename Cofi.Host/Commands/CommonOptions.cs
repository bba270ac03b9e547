using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Runtime;
using Cofi.Host.Web;

namespace Cofi.Host.Commands;

/// <summary>Options shared by the commands that open the database and load configuration.</summary>
public sealed class CommonOptions
{
    public Option<string> Database { get; } = new("--db")
    {
        Description = $"SQLite database file, or a MySQL / MariaDB connection string (default: ${RuntimeOptions.DatabaseVariable} or ./cofi.db)",
        DefaultValueFactory = _ => RuntimeOptions.DefaultDatabasePath,
    };

    public Option<string?> Config { get; } = new("--config") { Description = "HOCON file layered over the defaults in hocon/" };

    public Option<int?> Gpus { get; } = new("--gpus") { Description = "number of simulated GPU machines (cofi.simulated.gpu-machines)" };

    public Option<int?> Latency { get; } = DurationOption.Milliseconds("--latency",
        $"simulated latency of every model stage, e.g. 20ms or 1s; a bare number is milliseconds (default: ${RuntimeOptions.LatencyVariable}, else per stage from the configuration)");

    public Option<string?> CallLog { get; } = new("--call-log") { Description = "append one line per simulated call to this file" };

    public Option<bool> Serve { get; } = new("--serve") { Description = "keep serving the dashboard after the batch ends, until Ctrl+C" };

    public Option<string?> Bind { get; } = new("--bind") { Description = "address the dashboard and API listen on (cofi.web.bind, default 127.0.0.1)" };

    public Option<int?> Port { get; } = new("--port") { Description = "port of the dashboard and API (cofi.web.port, default 5080; 0 picks a free one)" };

    /// <summary>The web options of demo and run.</summary>
    public void AddWebTo(Command command)
    {
        command.Options.Add(Serve);
        command.Options.Add(Bind);
        command.Options.Add(Port);
    }

    /// <param name="inputRoot">a folder the API may read besides the configured roots (the folder run or demo reads).</param>
    public WebSettings ReadWeb(ParseResult result, Akka.Configuration.Config config, string? inputRoot = null) =>
        WebSettings.FromConfig(config, result.GetValue(Bind), result.GetValue(Port), inputRoot is null ? [] : [inputRoot]);

    public Option<string?> LogFormat { get; } = new("--log-format") { Description = $"text (default) or json: one JSON object a line, for log shippers (default: ${NodeLog.Variable})" };

    public LogFormat ReadLogFormat(ParseResult result) => NodeLog.ParseFormat(result.GetValue(LogFormat), Environment.GetEnvironmentVariable);

    public Option<string?> Roles { get; } = new("--roles") { Description = "cluster roles of this process: coordinator, gpu or both (default: $COFI_ROLES; embedded outside a cluster unless roles or $CLUSTER_SEEDS are set)" };

    public Option<string?> NodeName { get; } = new("--name") { Description = "name of this node's GPU machine(s) (default: $COFI_NODE_NAME or the host name)" };

    public void AddTo(Command command, bool simulation)
    {
        command.Options.Add(Roles);
        command.Options.Add(NodeName);
        command.Options.Add(Database);
        command.Options.Add(Config);
        if (!simulation) return;
        command.Options.Add(Gpus);
        command.Options.Add(Latency);
        command.Options.Add(CallLog);
    }

    public RuntimeOptions Read(ParseResult result) => new(
        result.GetValue(Database)!,
        result.GetValue(Config),
        result.GetValue(Gpus),
        result.GetValue(Latency) ?? RuntimeOptions.LatencyFromEnvironment(Environment.GetEnvironmentVariable),
        result.GetValue(CallLog),
        NodeSettings.FromEnvironment(Environment.GetEnvironmentVariables(), result.GetValue(Roles), result.GetValue(NodeName)));
}
