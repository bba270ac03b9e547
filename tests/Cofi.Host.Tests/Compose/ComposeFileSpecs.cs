using Cofi.Actors.Configuration;
using Cofi.Host.Runtime;
using Cofi.Host.Web;
using Cofi.Management;
using System.Text.RegularExpressions;
using MySqlConnector;

namespace Cofi.Host.Tests.Compose;

/// <summary>docker-compose.yml as Debian's docker-compose reads it: valid, and the topology the README describes.</summary>
public sealed class ComposeFileSpecs
{
    private static readonly string[] CofiServices = ["lighthouse", "coordinator-1", "coordinator-2", "gpu", "submit"];
    private static readonly string[] Coordinators = ["coordinator-1", "coordinator-2"];

    /// <summary>Every variable a Cofi process reads; a service setting anything else has a typo the code would ignore.</summary>
    private static readonly string[] CofiVariables =
    [
        "ACTORSYSTEM", "CLUSTER_IP", "CLUSTER_PORT", "CLUSTER_SEEDS", "CLUSTER_IP_FROM_HOSTNAME", "COFI_ROLES", "COFI_NODE_NAME",
        RuntimeOptions.DatabaseVariable, RuntimeOptions.LatencyVariable,
        WebSettings.BindVariable, WebSettings.PortVariable, WebSettings.InputRootsVariable, ManagementSettings.BindVariable, ManagementSettings.PortVariable,
    ];

    /// <summary>The services docker-compose up starts that run a Cofi process, and the port each serves /health and /metrics on.</summary>
    private static readonly Dictionary<string, int> MetricsPorts = new()
    {
        ["lighthouse"] = ManagementSettings.DefaultPort, ["coordinator-1"] = 5080, ["coordinator-2"] = 5080, ["gpu"] = ManagementSettings.DefaultPort,
    };

    /// <summary>The file as resolved with no variable set; read once, docker-compose is slow to start.</summary>
    private static readonly Lazy<Task<ComposeFile>> Resolved = new(() => ComposeFile.LoadAsync());

    [Fact]
    public async Task Should_be_valid_for_docker_compose_config_without_warnings()
    {
        var (code, _, stderr) = await ComposeFile.ConfigAsync(null, "--quiet");

        code.ShouldBe(0, stderr);
        stderr.ShouldNotContain("WARNING");
    }

    [Fact]
    public async Task Should_define_mysql_a_lighthouse_two_coordinators_gpu_nodes_and_a_submit_tool()
    {
        var compose = await Resolved.Value;

        string[] expected = ["mysql", "prometheus", "cofi", .. CofiServices];
        compose.Services.Select(s => s.Name).Order().ShouldBe(expected.Order());
        compose.Services.Where(s => s.StartsWithUp).Select(s => s.Name).ShouldNotContain("submit", "submit runs with docker-compose run, not up");
        compose["submit"].Profiles.ShouldBe(["tools"]);
    }

    [Fact]
    public async Task Should_offer_cofi_on_the_first_coordinators_api_as_a_tool()
    {
        var compose = await Resolved.Value;
        var cofi = compose["cofi"];

        cofi.Profiles.ShouldBe(["tools"]);
        cofi.StartsWithUp.ShouldBeFalse();
        cofi.Entrypoint.ShouldBe(["dotnet", "cofi.dll"]);
        cofi.Env("COFI_ADDRESS").ShouldBe($"coordinator-1:{compose["coordinator-1"].Env(WebSettings.PortVariable)}");
    }

    [Fact]
    public async Task Should_run_mysql_8_with_a_health_check_that_the_coordinators_wait_for()
    {
        var compose = await Resolved.Value;
        var mysql = compose["mysql"];

        mysql.Image.ShouldBe("mysql:8");
        mysql.Healthcheck.ShouldNotBeNull();
        mysql.Healthcheck.ShouldContain("ping");
        foreach (var name in Coordinators.Append("submit"))
        {
            var db = new MySqlConnectionStringBuilder(compose[name].Env(RuntimeOptions.DatabaseVariable) ?? "");
            db.Server.ShouldBe("mysql", name);
            db.Database.ShouldBe(mysql.Env("MYSQL_DATABASE"), name);
            db.UserID.ShouldBe(mysql.Env("MYSQL_USER"), name);
            db.Password.ShouldBe(mysql.Env("MYSQL_PASSWORD"), name);
        }
        foreach (var name in Coordinators)
        {
            compose[name].DependsOn.GetValueOrDefault("mysql").ShouldBe("service_healthy", name);
            compose[name].DependsOn.GetValueOrDefault("lighthouse").ShouldBe("service_started", name);
        }
        compose["gpu"].Env(RuntimeOptions.DatabaseVariable).ShouldBeNull("a GPU node keeps no journal");
    }

    [Fact]
    public async Task Should_give_every_member_the_lighthouse_then_the_coordinators_as_seeds()
    {
        var compose = await Resolved.Value;
        var lighthouse = compose["lighthouse"];

        lighthouse.BuildTarget.ShouldBe("lighthouse");
        lighthouse.Env("CLUSTER_IP").ShouldBe("lighthouse", "it advertises the name the others resolve");
        // The lighthouse first, then the coordinators' fixed addresses: a restarted lighthouse rejoins through them.
        var seeds = Coordinators.Prepend("lighthouse")
            .Select(name => $"akka.tcp://{lighthouse.Env("ACTORSYSTEM")}@{name}:{compose[name].Env("CLUSTER_PORT")}");
        var expected = string.Join(",", seeds);
        lighthouse.Env("CLUSTER_SEEDS").ShouldBe(expected);
        foreach (var name in CofiServices.Except(["lighthouse"]))
        {
            compose[name].BuildTarget.ShouldBe("host", name);
            compose[name].Env("CLUSTER_SEEDS").ShouldBe(expected, name);
            compose[name].Env("ACTORSYSTEM").ShouldBe(lighthouse.Env("ACTORSYSTEM"), name);
        }
    }

    [Fact]
    public async Task Should_run_two_coordinators_that_serve_with_the_coordinator_role_only_and_publish_their_web_port()
    {
        var compose = await Resolved.Value;

        foreach (var name in Coordinators)
        {
            var coordinator = compose[name];
            coordinator.Command.ShouldBe(["serve"], name);
            coordinator.Env("COFI_ROLES").ShouldBe(NodeSettings.Coordinator, name);
            coordinator.Env("CLUSTER_IP").ShouldBe(name, "a coordinator advertises its own service name");
            coordinator.Env(WebSettings.BindVariable).ShouldBe("0.0.0.0", "the web server must be reachable from outside the container");
            coordinator.Ports.Select(p => p.Target).ShouldBe([int.Parse(coordinator.Env(WebSettings.PortVariable)!)], name);
            coordinator.Env(WebSettings.InputRootsVariable).ShouldBe(coordinator.Mounts.Keys.Single(), "the API reads batches from the batches volume");
        }
        Coordinators.Select(n => compose[n].Ports.Single().Published).ShouldBeUnique("each coordinator's dashboard has a port of its own on the host");
    }

    [Fact]
    public async Task Should_check_every_cofi_service_s_health_on_the_port_it_serves_health_on()
    {
        var compose = await Resolved.Value;

        foreach (var (name, port) in MetricsPorts)
        {
            var service = compose[name];
            var test = string.Join(" ", service.Healthcheck ?? throw new ShouldAssertException($"{name} has no healthcheck"));
            test.ShouldContain($"/dev/tcp/127.0.0.1/{port}", customMessage: name);
            test.ShouldContain("GET /health", customMessage: name);
            var served = service.Env(WebSettings.PortVariable) ?? service.Env(ManagementSettings.PortVariable);
            served.ShouldBe(port.ToString(), name);
            (service.Env(WebSettings.BindVariable) ?? service.Env(ManagementSettings.BindVariable)).ShouldBe("0.0.0.0", $"Prometheus scrapes {name} from another container");
        }
    }

    [Fact]
    public async Task Should_let_prometheus_scrape_every_cofi_service_with_a_valid_configuration()
    {
        var compose = await Resolved.Value;
        var prometheus = compose["prometheus"];
        var (source, target) = prometheus.Mounts.Single(m => m.Key.EndsWith("prometheus.yml")) is var m ? (m.Value, m.Key) : default;
        target.ShouldBe("/etc/prometheus/prometheus.yml");
        prometheus.Command.ShouldNotBeNull().ShouldContain($"--config.file={target}");
        var config = await File.ReadAllTextAsync(source);

        foreach (var (name, port) in MetricsPorts.Where(p => p.Key != "gpu"))
            config.ShouldContain($"{name}:{port}", customMessage: $"prometheus scrapes {name}");
        // The gpu service is scaled: every copy is found through its service name.
        config.ShouldContain("dns_sd_configs");
        config.ShouldContain("names: [\"gpu\"]");
        config.ShouldContain($"port: {ManagementSettings.DefaultPort}");
        var (code, stdout, stderr) = await Run("promtool", "check", "config", source);
        code.ShouldBe(0, stdout + stderr);
    }

    private static async Task<(int, string, string)> Run(string program, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Should_run_three_gpu_nodes_that_scale_with_docker_compose_up_scale()
    {
        var compose = await Resolved.Value;
        var gpu = compose["gpu"];

        gpu.Scale.ShouldBe(3);
        gpu.Command.ShouldBe(["node"]);
        gpu.Env("COFI_ROLES").ShouldBe(NodeSettings.Gpu);
        // Copies of one service share every setting: a fixed name, address or published port would collide.
        gpu.Keys.ShouldNotContain("container_name");
        gpu.Keys.ShouldNotContain("hostname");
        gpu.Keys.ShouldNotContain("ports");
        gpu.Env("COFI_NODE_NAME").ShouldBeNull("each node is named after its container's host name");
        gpu.Env("CLUSTER_IP").ShouldBeNull("each copy advertises its own address");
        gpu.Env("CLUSTER_IP_FROM_HOSTNAME").ShouldBe("true");
        compose.Services.ShouldAllBe(s => !s.DependsOn.ContainsKey("gpu"), "nothing waits for a GPU node: they come and go");
    }

    [Fact]
    public async Task Should_submit_batches_from_the_volume_the_coordinators_read()
    {
        var compose = await Resolved.Value;
        var submit = compose["submit"];

        submit.Command.ShouldNotBeNull();
        submit.Command[0].ShouldBe("run");
        submit.Env("COFI_ROLES").ShouldBe(NodeSettings.Coordinator, "it must not offer GPU work");
        submit.Env("CLUSTER_IP_FROM_HOSTNAME").ShouldBe("true", "a docker-compose run container has no service name the others resolve");
        var input = submit.Command[submit.Command.ToList().IndexOf("--input") + 1];
        var (target, volume) = submit.Mounts.Single();
        input.ShouldStartWith(target + "/");
        foreach (var name in Coordinators)
            compose[name].Mounts.GetValueOrDefault(target).ShouldBe(volume, $"{name} scans the input when it runs the batch");
    }

    [Fact]
    public async Task Should_configure_every_cofi_service_by_environment_variables_only()
    {
        var compose = await Resolved.Value;
        var readme = ReadmeSection(compose.Root);

        foreach (var name in CofiServices)
        {
            var service = compose[name];
            service.Environment.Keys.ShouldBeSubsetOf(CofiVariables, $"{name} sets a variable no Cofi process reads");
            (service.Env("CLUSTER_IP") ?? service.Env("CLUSTER_IP_FROM_HOSTNAME")).ShouldNotBeNull($"{name} must advertise an address the others reach, not 127.0.0.1");
            // The only argument besides the command itself is the batch's input.
            (service.Command ?? []).Where(a => a.StartsWith('-')).ShouldBeSubsetOf(["--input"], name);
        }
        foreach (var variable in CofiVariables)
            readme.ShouldContain($"`{variable}`", customMessage: $"README's \"Running with docker-compose\" says what {variable} means");
    }

    [Fact]
    public async Task Should_pass_the_simulated_latency_through_to_every_cofi_host_service()
    {
        var compose = await ComposeFile.LoadAsync(new Dictionary<string, string> { [RuntimeOptions.LatencyVariable] = "7" });

        foreach (var name in CofiServices.Except(["lighthouse"]))
            compose[name].Env(RuntimeOptions.LatencyVariable).ShouldBe("7", name);
    }

    [Fact]
    public async Task Should_build_each_image_from_a_named_stage_of_the_Dockerfile_on_the_dotnet_10_images()
    {
        var compose = await Resolved.Value;
        var stages = DockerfileStages.Read(Path.Combine(compose.Root, "docker", "Dockerfile"));

        stages["build"].BaseImage.ShouldBe("mcr.microsoft.com/dotnet/sdk:10.0");
        foreach (var service in compose.Services.Where(s => s.BuildTarget is not null))
        {
            service.BuildDockerfile.ShouldBe("docker/Dockerfile", service.Name);
            var stage = stages[service.BuildTarget!];
            stage.BaseImage.ShouldBeOneOf("mcr.microsoft.com/dotnet/runtime:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0");
            stage.Entrypoint.ShouldNotBeNull(service.Name);
            stage.Entrypoint[0].ShouldBe("dotnet");
            var project = Path.GetFileNameWithoutExtension(stage.Entrypoint[1]);
            File.Exists(Path.Combine(AppContext.BaseDirectory, stage.Entrypoint[1])).ShouldBeTrue($"{stage.Entrypoint[1]} is built here");
            stages["build"].Lines.ShouldContain(l => l.Contains($"{project}/{project}.csproj") && l.Contains("publish"), $"the build stage publishes {project}");
        }
        File.ReadAllText(Path.Combine(compose.Root, ".dockerignore")).ShouldContain("**/bin/");
    }

    private static readonly Regex Fence = new(@"^```[A-Za-z]*\s*$");

    /// <summary>The README section "Running with docker-compose", up to the next heading of its level or above (code blocks skipped).</summary>
    private static string ReadmeSection(string root)
    {
        var section = new List<string>();
        var level = 0;
        var fenced = false;
        foreach (var line in File.ReadLines(Path.Combine(root, "README.md")))
        {
            // A fence is ``` alone or with a language; a line that only starts with backticks is inline code.
            if (Fence.IsMatch(line)) fenced = !fenced;
            var heading = !fenced && line.StartsWith('#') ? line.TakeWhile(c => c == '#').Count() : 0;
            if (heading > 0 && level > 0 && heading <= level) break;
            if (heading > 0 && line.TrimStart('#').Trim() == "Running with docker-compose") level = heading;
            if (level > 0) section.Add(line);
        }
        section.ShouldNotBeEmpty("README.md has a \"Running with docker-compose\" section");
        return string.Join('\n', section);
    }
}
