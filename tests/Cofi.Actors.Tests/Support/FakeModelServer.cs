using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cofi.Actors.Executors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cofi.Actors.Tests.Support;

/// <summary>What the fake model server does to calls, decided per (file, stage, attempt) so a run is repeatable.</summary>
public sealed record FaultMix(
    double ServerErrorRate = 0,
    double HangRate = 0,
    double TooManyRequestsRate = 0,
    TimeSpan? Latency = null,
    TimeSpan? Hang = null,
    string? SlowMachine = null,
    double SlowFactor = 4)
{
    public static readonly FaultMix None = new();
}

/// <summary>One request the fake server answered (or hung on).</summary>
public sealed record ServedCall(string Machine, string Path, string? File, int Attempt, string? IdempotencyKey, int Status, DateTimeOffset At);

/// <summary>
/// A real Kestrel server on loopback speaking Cofi's model-service contract for several GPU machines at once:
/// each machine is its own loopback address (127.0.0.2, 127.0.0.3, …) on one shared port. It also serves an
/// OpenAI-compatible <c>/v1/chat/completions</c>. Faults are injected per call, and for chosen files.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ServedCall> _calls = new();
    private readonly ConcurrentDictionary<(string Machine, string Stage), int> _atOnce = new();
    private readonly ConcurrentDictionary<(string Machine, string Stage), int> _mostAtOnce = new();

    private FakeModelServer(WebApplication app, int port, IReadOnlyList<string> machines)
    {
        _app = app;
        Port = port;
        Machines = machines;
    }

    public int Port { get; }

    public IReadOnlyList<string> Machines { get; }

    public IReadOnlyList<ServedCall> Calls => _calls.ToArray();

    public FaultMix Faults { get; set; } = FaultMix.None;

    /// <summary>The most requests each machine was answering at once for each stage, counted by the server itself.</summary>
    public IReadOnlyDictionary<(string Machine, string Stage), int> MostAtOnce => _mostAtOnce;

    /// <summary>Answered 400 with a problem-details reason at this stage.</summary>
    public ConcurrentDictionary<(string Stage, string File), string> BadRequests { get; } = new();

    /// <summary>Answered 200 with a body that is not JSON at this stage.</summary>
    public ConcurrentDictionary<(string Stage, string File), bool> MalformedAnswers { get; } = new();

    /// <summary>Answered 200 with a JSON body of about 200 KB at this stage.</summary>
    public ConcurrentDictionary<(string Stage, string File), bool> HugeAnswers { get; } = new();

    /// <summary>Never answered at this stage: the request hangs until the caller gives up.</summary>
    public ConcurrentDictionary<(string Stage, string File), bool> Hanging { get; } = new();

    /// <summary>Answered 503 on every attempt at this stage until removed.</summary>
    public ConcurrentDictionary<(string Stage, string File), bool> Unavailable { get; } = new();

    /// <summary>The chat-completions endpoint's own answer for a prompt (default: a summary naming the prompt's length).</summary>
    public Func<string, string> ChatAnswer { get; set; } = prompt => JsonSerializer.Serialize(new { summary = $"{prompt.Length} characters" });

    public static async Task<FakeModelServer> StartAsync(int machines)
    {
        var addresses = Enumerable.Range(2, machines).Select(i => $"127.0.0.{i}").ToList();
        var port = FreePort(addresses);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            foreach (var address in addresses) k.Listen(IPAddress.Parse(address), port);
            k.Limits.MaxRequestBodySize = 10 * 1024 * 1024;
        });
        var app = builder.Build();
        var server = new FakeModelServer(app, port, addresses);
        app.MapPost("/v1/chat/completions", (Delegate)server.ChatAsync);
        app.MapPost("/{stage}/prepare", (string stage, HttpContext context) => server.Lifecycle(stage, "prepare", context));
        app.MapPost("/{stage}/release", (string stage, HttpContext context) => server.Lifecycle(stage, "release", context));
        app.MapPost("/{stage}", (Delegate)server.StageAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>An address with no server behind it: connections to it are refused.</summary>
    public static string DeadMachine(int index) => $"127.0.0.{200 + index}";

    private async Task<IResult> StageAsync(string stage, HttpContext context)
    {
        var machine = context.Connection.LocalIpAddress!.ToString();
        var now = _atOnce.AddOrUpdate((machine, stage), 1, (_, n) => n + 1);
        _mostAtOnce.AddOrUpdate((machine, stage), now, (_, most) => Math.Max(most, now));
        try
        {
            return await AnswerAsync(stage, machine, context);
        }
        finally
        {
            _atOnce.AddOrUpdate((machine, stage), 0, (_, n) => n - 1);
        }
    }

    private async Task<IResult> AnswerAsync(string stage, string machine, HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var file = body?["file"]?["name"]?.GetValue<string>() ?? "";
        var attempt = body?["attempt"]?.GetValue<int>() ?? 0;
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        IResult Answer(int status, IResult result)
        {
            _calls.Enqueue(new ServedCall(machine, stage, file, attempt, key, status, DateTimeOffset.UtcNow));
            return result;
        }

        var faults = Faults;
        var latency = faults.Latency ?? TimeSpan.Zero;
        if (machine == faults.SlowMachine) latency *= faults.SlowFactor;
        if (latency > TimeSpan.Zero) await Task.Delay(latency, context.RequestAborted);

        if (Hanging.ContainsKey((stage, file)))
        {
            _calls.Enqueue(new ServedCall(machine, stage, file, attempt, key, 0, DateTimeOffset.UtcNow));
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { });
            return Results.Empty;
        }
        if (BadRequests.TryGetValue((stage, file), out var reason))
            return Answer(400, Results.Problem(detail: reason, statusCode: 400, title: "Bad Request"));
        if (Unavailable.ContainsKey((stage, file)))
            return Answer(503, Results.Problem(detail: "model is warming up", statusCode: 503));
        var u = StableHash.Unit($"{key}#{attempt}", "fault");
        if (u < faults.ServerErrorRate)
            return Answer(500, Results.Problem(detail: "injected server error", statusCode: 500));
        if (u < faults.ServerErrorRate + faults.HangRate)
        {
            _calls.Enqueue(new ServedCall(machine, stage, file, attempt, key, 0, DateTimeOffset.UtcNow));
            try
            {
                await Task.Delay(faults.Hang ?? TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The caller gave up, as it should.
            }
            return Results.Empty;
        }
        if (u < faults.ServerErrorRate + faults.HangRate + faults.TooManyRequestsRate)
        {
            context.Response.Headers.RetryAfter = "1";
            return Answer(429, Results.Problem(detail: "slow down", statusCode: 429));
        }
        if (HugeAnswers.ContainsKey((stage, file)))
            return Answer(200, Results.Json(new { padding = new string('x', 200_000) }));
        if (MalformedAnswers.ContainsKey((stage, file)))
            return Answer(200, Results.Text("{\"transcript\": \"cut off", "application/json"));
        return Answer(200, Results.Json(ResultFor(stage, file)));
    }

    private static object ResultFor(string stage, string file) => stage switch
    {
        "ivr" => new { isIvr = false, confidence = 0.99 },
        "lid" => new { language = "en", confidence = 0.97 },
        "stt" => new { transcript = $"hello, this is {file}", words = 5 },
        _ => new { stage, file, ok = true },
    };

    private IResult Lifecycle(string stage, string call, HttpContext context)
    {
        _calls.Enqueue(new ServedCall(context.Connection.LocalIpAddress!.ToString(), $"{stage}/{call}", null, 0,
            context.Request.Headers["Idempotency-Key"].ToString(), 200, DateTimeOffset.UtcNow));
        return Results.Json(new { stage, call });
    }

    private async Task<IResult> ChatAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var prompt = body?["messages"]?.AsArray().LastOrDefault()?["content"]?.GetValue<string>() ?? "";
        _calls.Enqueue(new ServedCall(context.Connection.LocalIpAddress!.ToString(), "chat", prompt, 0,
            context.Request.Headers["Idempotency-Key"].ToString(), 200, DateTimeOffset.UtcNow));
        return Results.Json(new
        {
            id = "chatcmpl-test",
            @object = "chat.completion",
            model = body?["model"]?.GetValue<string>(),
            choices = new[] { new { index = 0, message = new { role = "assistant", content = ChatAnswer(prompt) }, finish_reason = "stop" } },
            usage = new { prompt_tokens = prompt.Length / 4, completion_tokens = 10, total_tokens = prompt.Length / 4 + 10 },
        });
    }

    private static int FreePort(IReadOnlyList<string> addresses)
    {
        for (var tries = 0; ; tries++)
        {
            using var probe = new TcpListener(IPAddress.Parse(addresses[0]), 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (addresses.Skip(1).All(a => IsFree(a, port)) || tries > 20) return port;
        }
    }

    private static bool IsFree(string address, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Parse(address), port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
