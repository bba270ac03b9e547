using Cofi.Host.Tests.Support;
using MySqlConnector;

namespace Cofi.Host.Tests.Compose;

/// <summary>
/// The services of docker-compose.yml started as local processes, the way <c>docker-compose up</c> and
/// <c>docker-compose run</c> start containers: the same program (the image's ENTRYPOINT in the Dockerfile, run from
/// the test's build output), the same command and the same environment, translated only where a container differs
/// from a process on this machine:
/// <list type="bullet">
/// <item>every host name is 127.0.0.1, so each container gets its own free port: CLUSTER_IP (a service's own name)
/// becomes 127.0.0.1, CLUSTER_PORT that port, and the addresses in CLUSTER_SEEDS the port of the service they name;</item>
/// <item>the MySQL service is the test's MariaDB database: a connection string naming it gets the test server,
/// user, password and database;</item>
/// <item>a named volume is a folder of the test: paths under its mount point, in variables and in the command;</item>
/// <item>what Docker gives every container by itself: a host name of its own (COFI_NODE_NAME when the service
/// sets none) and the address that name resolves to (CLUSTER_IP when the service takes it from the host name).</item>
/// </list>
/// </summary>
public sealed class LocalCompose : IAsyncDisposable
{
    private const string Loopback = "127.0.0.1";
    private readonly ComposeFile _compose;
    private readonly MySqlConnectionStringBuilder _database;
    private readonly string _volumes;
    private readonly IReadOnlyDictionary<string, DockerfileStage> _stages;
    private readonly Dictionary<string, List<Instance>> _instances = new();
    /// <summary>The port of each service that runs one container, known before it starts, as its name is in Docker.</summary>
    private readonly Dictionary<string, int> _ports;
    private readonly List<Instance> _started = new();
    private int _runs;

    /// <param name="database">The test's MySQL connection string, standing in for the compose MySQL service.</param>
    /// <param name="volumes">Folder holding one folder per named volume.</param>
    public LocalCompose(ComposeFile compose, string database, string volumes)
    {
        _compose = compose;
        _database = new MySqlConnectionStringBuilder(database);
        _volumes = volumes;
        _stages = DockerfileStages.Read(Path.Combine(compose.Root, "docker", "Dockerfile"));
        DatabaseService = compose.Services
            .Select(s => s.Env(Runtime.RuntimeOptions.DatabaseVariable))
            .OfType<string>()
            .Select(db => new MySqlConnectionStringBuilder(db).Server)
            .Distinct().Single();
        _ports = compose.Services.Where(s => s.StartsWithUp && s.Scale == 1 && s.Name != DatabaseService && IsCofi(s))
            .ToDictionary(s => s.Name, _ => FreePort.Next());
    }

    /// <summary>A service whose image this repository builds: a Cofi process.</summary>
    private static bool IsCofi(ComposeService service) => service.BuildTarget is not null;

    /// <summary>The service COFI_DB names as its server: MariaDB stands in for it.</summary>
    public string DatabaseService { get; }

    /// <summary>The host names of a service's running containers (service-1, service-2, … when it is scaled).</summary>
    public IReadOnlyList<string> HostNames(string service) => _instances[service].Select(i => i.HostName).ToList();

    public IReadOnlyList<CofiProcess> Processes(string service) => _instances[service].Select(i => i.Process).ToList();

    /// <summary>
    /// <c>docker-compose up</c>: every service without a profile, as many copies as its scale, in depends_on order,
    /// each service Up in the cluster before the services that depend on it start.
    /// </summary>
    public async Task UpAsync()
    {
        var started = new HashSet<string> { DatabaseService };
        var pending = _compose.Services.Where(s => s.StartsWithUp && s.Name != DatabaseService && IsCofi(s)).ToList();
        // Services of other images (Prometheus) are not run here; what depends on them does not wait.
        started.UnionWith(_compose.Services.Where(s => !IsCofi(s)).Select(s => s.Name));
        while (pending.Count > 0)
        {
            var ready = pending.Where(s => s.DependsOn.Keys.All(started.Contains)).ToList();
            if (ready.Count == 0) throw new InvalidOperationException($"depends_on cannot be satisfied for {string.Join(", ", pending.Select(s => s.Name))}");
            foreach (var service in ready)
            {
                var copies = Enumerable.Range(1, service.Scale)
                    .Select(n => service.Scale == 1
                        ? Start(service, service.Name, service.Command ?? [], _ports[service.Name])
                        : Start(service, $"{service.Name}-{n}", service.Command ?? []))
                    .ToList();
                _instances[service.Name] = copies;
                foreach (var copy in copies)
                {
                    await ClusterRig.Until(() => copy.Process.Stdout.Contains(": up at") || copy.Process.HasExited, $"{copy.HostName} up", copy.Process);
                    if (!copy.Process.Stdout.Contains(": up at"))
                        throw new InvalidOperationException($"{copy.HostName} exited before it was up:\n{copy.Process.Stdout}{copy.Process.Stderr}");
                }
                started.Add(service.Name);
                pending.Remove(service);
            }
        }
    }

    /// <summary>
    /// <c>docker-compose run --rm SERVICE [COMMAND...]</c>: one more container of the service, its command replaced when
    /// one is given. Like every process here it is killed, if still running, when the compose is disposed.
    /// </summary>
    public CofiProcess Run(string service, params string[] command)
    {
        var definition = _compose[service];
        return Start(definition, $"{service}-run-{++_runs}", command.Length > 0 ? command : definition.Command ?? []).Process;
    }

    private Instance Start(ComposeService service, string hostName, IReadOnlyList<string> command, int? knownPort = null)
    {
        var port = knownPort ?? FreePort.Next();
        var entrypoint = service.Entrypoint
            ?? (service.BuildTarget is { } target && _stages.TryGetValue(target, out var stage) ? stage.Entrypoint : null)
            ?? throw new InvalidOperationException($"{service.Name}: no entrypoint in docker-compose.yml nor in its Dockerfile stage");
        if (entrypoint is not ["dotnet", var dll]) throw new InvalidOperationException($"{service.Name}: entrypoint {string.Join(" ", entrypoint)} is not dotnet <dll>");
        var path = dll == Path.GetFileName(CofiProcess.LighthouseDll) ? CofiProcess.LighthouseDll : Path.Combine(AppContext.BaseDirectory, dll);
        if (!File.Exists(path)) throw new InvalidOperationException($"{service.Name}: {dll} is not a program this repository builds");
        var args = command.Select(a => a.StartsWith("akka.tcp://", StringComparison.Ordinal) ? Address(a) : Paths(service, a)).ToArray();
        var instance = new Instance(service, hostName, port, CofiProcess.StartDll(path, Environment(service, hostName, port), args));
        _started.Add(instance);
        return instance;
    }

    private Dictionary<string, string> Environment(ComposeService service, string hostName, int port)
    {
        var environment = new Dictionary<string, string>();
        foreach (var (key, value) in service.Environment)
        {
            environment[key] = key switch
            {
                "CLUSTER_IP" => value == service.Name ? Loopback
                    : throw new InvalidOperationException($"{service.Name}: CLUSTER_IP '{value}' is not the service's own name, so the others cannot reach it"),
                "CLUSTER_PORT" => port.ToString(),
                // Containers each have the whole port range; processes here share one: any free port, on loopback.
                "COFI_WEB_PORT" or "COFI_MANAGEMENT_PORT" => "0",
                "COFI_WEB_BIND" or "COFI_MANAGEMENT_BIND" => Loopback,
                "CLUSTER_SEEDS" => string.Join(",", value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Address)),
                _ => Database(Paths(service, value)),
            };
        }
        environment.TryAdd("COFI_NODE_NAME", hostName);
        if (!environment.ContainsKey("CLUSTER_IP") && environment.GetValueOrDefault("CLUSTER_IP_FROM_HOSTNAME") == "true")
            environment["CLUSTER_IP"] = Loopback;
        return environment;
    }

    /// <summary>akka.tcp://system@service:port (a seed, or --via): the service must run one container listening on that port.</summary>
    private string Address(string address)
    {
        var uri = new Uri(address);
        if (!_ports.TryGetValue(uri.Host, out var port))
            throw new InvalidOperationException($"{address}: '{uri.Host}' is not a service that docker-compose up starts as one container");
        var listens = _compose[uri.Host].Env("CLUSTER_PORT");
        if (listens != uri.Port.ToString())
            throw new InvalidOperationException($"{address}: {uri.Host} listens on CLUSTER_PORT {listens ?? "(unset)"}, not {uri.Port}");
        return $"{uri.Scheme}://{uri.UserInfo}@{Loopback}:{port}";
    }

    private string Database(string value)
    {
        if (!Cofi.Actors.Persistence.DatabaseSettings.LooksLikeConnectionString(value)) return value;
        var builder = new MySqlConnectionStringBuilder(value);
        if (builder.Server != DatabaseService) return value;
        builder.Server = _database.Server;
        builder.Port = _database.Port;
        builder.UserID = _database.UserID;
        builder.Password = _database.Password;
        builder.Database = _database.Database;
        return builder.ConnectionString;
    }

    private string Paths(ComposeService service, string value)
    {
        foreach (var (target, volume) in service.Mounts)
            if (value == target || value.StartsWith(target + "/", StringComparison.Ordinal))
                return Path.Combine(VolumeFolder(volume), value[target.Length..].TrimStart('/'));
        return value;
    }

    public string VolumeFolder(string volume)
    {
        if (volume.Contains('/')) throw new InvalidOperationException($"'{volume}' is a bind mount: the compose file uses named volumes only");
        var folder = Path.Combine(_volumes, volume);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>What every container printed, for the test's output.</summary>
    public string Logs() => string.Join("\n", _started.Select(i => $"== {i.HostName}\n{i.Process.Stdout}{i.Process.Stderr}"));

    public ValueTask DisposeAsync()
    {
        foreach (var instance in _started) instance.Process.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record Instance(ComposeService Service, string HostName, int Port, CofiProcess Process);
}
