using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Cofi.Host.Tests.Compose;

/// <summary>
/// docker-compose.yml as Debian's <c>docker-compose config</c> resolves it (anchors merged, variables interpolated,
/// defaults filled in), turned into JSON by the YAML module of the Python that docker-compose itself runs on.
/// scripts/docker-compose-install provides it; without it the tests fail saying so.
/// </summary>
public sealed class ComposeFile
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private ComposeFile(string root, IReadOnlyList<ComposeService> services)
    {
        Root = root;
        Services = services;
    }

    /// <summary>The repository root: the folder of docker-compose.yml.</summary>
    public string Root { get; }

    public IReadOnlyList<ComposeService> Services { get; }

    public string Path => System.IO.Path.Combine(Root, "docker-compose.yml");

    public ComposeService this[string name] =>
        Services.SingleOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"docker-compose.yml has no service '{name}'");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "docker-compose.yml")) && File.Exists(System.IO.Path.Combine(dir.FullName, "Cofi.Actors.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no docker-compose.yml beside Cofi.Actors.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs <c>docker-compose config</c> with <paramref name="variables"/> set for interpolation.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> ConfigAsync(IReadOnlyDictionary<string, string>? variables = null, params string[] args)
    {
        var root = RepositoryRoot();
        return await RunAsync("docker-compose", null, variables, ["--file", System.IO.Path.Combine(root, "docker-compose.yml"), "config", .. args]);
    }

    public static async Task<ComposeFile> LoadAsync(IReadOnlyDictionary<string, string>? variables = null)
    {
        var (code, yaml, stderr) = await ConfigAsync(variables);
        if (code != 0) throw new InvalidOperationException($"docker-compose config failed ({code}):\n{stderr}");
        var (jsonCode, json, jsonErr) = await RunAsync(ComposePython(), yaml, null,
            ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"]);
        if (jsonCode != 0) throw new InvalidOperationException($"python3-yaml could not read the output of docker-compose config:\n{jsonErr}");
        using var document = JsonDocument.Parse(json);
        var services = document.RootElement.GetProperty("services").EnumerateObject()
            .Select(s => ComposeService.From(s.Name, s.Value)).ToList();
        return new ComposeFile(RepositoryRoot(), services);
    }

    /// <summary>The interpreter on docker-compose's #! line: the one that has its dependencies, PyYAML among them.</summary>
    private static string ComposePython()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => System.IO.Path.Combine(dir, "docker-compose")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("docker-compose is not installed: the compose tests need it (run scripts/docker-compose-install)");
        var shebang = File.ReadLines(path).First();
        if (!shebang.StartsWith("#!")) throw new InvalidOperationException($"{path} is not the Python docker-compose (no #! line): the compose tests need Debian's docker-compose");
        return shebang[2..].Trim().Split(' ')[0];
    }

    private static async Task<(int, string, string)> RunAsync(string program, string? stdin, IReadOnlyDictionary<string, string>? variables, string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in variables ?? new Dictionary<string, string>()) info.Environment[key] = value;
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed: the compose tests need it (run scripts/docker-compose-install): {e.Message}", e);
        }
        using (process)
        {
            using var cancel = new CancellationTokenSource(Timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(cancel.Token);
            var stderr = process.StandardError.ReadToEndAsync(cancel.Token);
            if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancel.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}

/// <summary>One service of the resolved compose file, with the fields Cofi's topology depends on.</summary>
public sealed record ComposeService(
    string Name,
    string? Image,
    string? BuildTarget,
    string? BuildDockerfile,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, string> DependsOn,
    IReadOnlyList<string>? Healthcheck,
    int Scale,
    IReadOnlyList<string> Profiles,
    IReadOnlyDictionary<string, string> Mounts,
    IReadOnlyList<(int Published, int Target)> Ports,
    IReadOnlySet<string> Keys)
{
    public static ComposeService From(string name, JsonElement service)
    {
        string? Text(JsonElement parent, string key) => parent.TryGetProperty(key, out var value) ? value.GetString() : null;

        IReadOnlyList<string>? Strings(string key) =>
            !service.TryGetProperty(key, out var value) ? null
            : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!).ToList()
            : throw new InvalidOperationException($"{name}.{key}: expected a list, got {value}");

        IReadOnlyDictionary<string, string> Map(string key, Func<JsonElement, string> read) =>
            service.TryGetProperty(key, out var value)
                ? value.EnumerateObject().ToDictionary(p => p.Name, p => read(p.Value))
                : new Dictionary<string, string>();

        var build = service.TryGetProperty("build", out var b) ? b : default;
        // docker-compose 1.29 prints volumes in the short form, SOURCE:TARGET[:MODE].
        var mounts = (Strings("volumes") ?? []).Select(v => v.Split(':')).ToDictionary(p => p[1], p => p[0]);
        return new ComposeService(
            name,
            Text(service, "image"),
            build.ValueKind == JsonValueKind.Object ? Text(build, "target") : null,
            build.ValueKind == JsonValueKind.Object ? Text(build, "dockerfile") : null,
            Strings("entrypoint"),
            Strings("command"),
            Map("environment", v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidOperationException($"{name}: environment values must be strings, got {v}")),
            Map("depends_on", v => Text(v, "condition") ?? "service_started"),
            service.TryGetProperty("healthcheck", out var health) && health.TryGetProperty("test", out var test)
                ? test.EnumerateArray().Select(t => t.GetString()!).ToList() : null,
            service.TryGetProperty("scale", out var scale) ? scale.GetInt32() : 1,
            Strings("profiles") ?? [],
            mounts,
            // docker-compose 1.29 prints ports in the long form, { published, target }.
            service.TryGetProperty("ports", out var ports)
                ? ports.EnumerateArray().Select(p => (p.GetProperty("published").GetInt32(), p.GetProperty("target").GetInt32())).ToList()
                : [],
            service.EnumerateObject().Select(p => p.Name).ToHashSet());
    }

    /// <summary>Started by <c>docker-compose up</c> (services with a profile run only when asked for).</summary>
    public bool StartsWithUp => Profiles.Count == 0;

    public string? Env(string key) => Environment.TryGetValue(key, out var value) ? value : null;
}
