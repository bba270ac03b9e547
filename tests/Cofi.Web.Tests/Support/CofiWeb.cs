using Cofi.Actors.Hosting;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Logging;
using Cofi.Actors.Configuration;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Runtime;
using Cofi.Host.Web;
using Cofi.Management.Security;

namespace Cofi.Web.Tests.Support;

/// <summary>
/// A real Cofi as the process runs it (CofiRuntime with its web server on 127.0.0.1, port 0), on a real SQLite
/// file, with an input root holding a sample batch, and an HTTP client pointed at it.
/// </summary>
public sealed class CofiWeb : IAsyncDisposable
{
    /// <summary>The operator token (as <c>COFI_API_TOKEN</c> gives one); <see cref="ViewerToken"/> and <see cref="AdminToken"/> beside it.</summary>
    public const string Token = "s3cret-token";
    public const string ViewerToken = "viewer-token";
    public const string AdminToken = "admin-token";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    /// <summary>Zero latency everywhere but denoise, so a batch takes long enough to watch, pause and cancel.</summary>
    private const string Quick = """
        cofi.stage-defaults { backoff-base = 5ms, backoff-max = 50ms }
        cofi.pipeline.stage {
          denoise.simulated { latency = 50ms, spread = 0ms }
          ivr.simulated { latency = 0ms, spread = 0ms }
          lid.simulated { latency = 0ms, spread = 0ms }
          stt.simulated { latency = 0ms, spread = 0ms }
          llm1.simulated { latency = 0ms, spread = 0ms }
          llm2.simulated { latency = 0ms, spread = 0ms }
        }
        """;

    private readonly TempDirectory _dir;

    private CofiWeb(TempDirectory dir, CofiRuntime runtime, string? token)
    {
        _dir = dir;
        Runtime = runtime;
        Root = Path.Combine(dir.Path, "inputs");
        Client = Authorized(token);
        Anonymous = Authorized(null);
        Viewer = Authorized(token is null ? null : ViewerToken);
        Admin = Authorized(token is null ? null : AdminToken);
    }

    public CofiRuntime Runtime { get; }

    public string Address => Runtime.WebAddress!;

    /// <summary>The only input root the API accepts.</summary>
    public string Root { get; }

    /// <summary>Sends the bearer token (when the host has one).</summary>
    public HttpClient Client { get; }

    /// <summary>Sends no token.</summary>
    public HttpClient Anonymous { get; }

    /// <summary>Sends the viewer token (when the host has tokens).</summary>
    public HttpClient Viewer { get; }

    /// <summary>Sends the admin token (when the host has tokens).</summary>
    public HttpClient Admin { get; }

    /// <param name="database">null: an SQLite file in the test's own folder.</param>
    /// <param name="token">the operator token; null: no tokens at all, every endpoint open.</param>
    /// <param name="cluster">null: the embedded process, outside any cluster.</param>
    /// <param name="access">who may call the API when not the three tokens above.</param>
    /// <param name="certificate">serve HTTPS with it.</param>
    public static async Task<CofiWeb> StartAsync(string hocon = "", string? token = Token, DatabaseSettings? database = null, NodeSettings? cluster = null,
        AccessSettings? access = null, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var dir = new TempDirectory("cofi-web");
        var root = Directory.CreateDirectory(Path.Combine(dir.Path, "inputs")).FullName;
        var config = CofiConfig.Load(null, Quick, hocon);
        var settings = CofiSettings.FromConfig(config);
        var web = new WebSettings(IPAddress.Loopback, 0, [root], access ?? Access(token)) { Certificate = certificate };
        var runtime = await CofiRuntime.StartAsync(cluster is null ? NodePlan.Embedded(web: true) : NodePlan.Member(cluster, web: true),
            config, settings, database ?? DatabaseSettings.Sqlite(Path.Combine(dir.Path, "cofi.db")), web);
        return new CofiWeb(dir, runtime, token);
    }

    /// <summary>Waits until the EventWriter has written every row it was handed: the read model then holds all that was recorded.</summary>
    public async Task DrainReadModelAsync() =>
        await ActorRegistry.For(Runtime.System).Get<EventWriter>().Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromMinutes(1));

    /// <summary>A folder of sample files under the input root.</summary>
    public string Samples(string name, int files, int corrupt = 0)
    {
        var folder = Path.Combine(Root, name);
        SampleBatch.Generate(folder, files, corrupt);
        return folder;
    }

    public async Task<long> SubmitAsync(string input)
    {
        var response = await Client.PostAsJsonAsync("/api/batches", new { input }, Json);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("batchId").GetInt64();
    }

    public async Task<BatchSummary> WaitForEndAsync(long batchId, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var batches = await Client.GetFromJsonAsync<List<BatchSummary>>("/api/batches", Json);
            var batch = batches!.Single(b => b.BatchId == batchId);
            if (batch.Status is not (BatchStatus.Queued or BatchStatus.Running or BatchStatus.Paused)) return batch;
            if (DateTime.UtcNow > until) throw new TimeoutException($"batch {batchId} still {batch.Status}");
            await Task.Delay(100);
        }
    }

    public static AccessSettings Access(string? token) => token is null ? AccessSettings.Open : new AccessSettings(
    [
        TokenEntry.For(AccessSettings.ApiTokenName, Role.Operator, token),
        TokenEntry.For("dashboard", Role.Viewer, ViewerToken),
        TokenEntry.For("root", Role.Admin, AdminToken),
    ]);

    private HttpClient Authorized(string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(Runtime.WebAddress!), Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        Viewer.Dispose();
        Admin.Dispose();
        await Runtime.DisposeAsync();
        _dir.Dispose();
    }
}
