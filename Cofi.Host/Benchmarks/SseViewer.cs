using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Cofi.Host.Benchmarks;

/// <summary>
/// One dashboard viewer: reads /api/stream over its own HTTP connection and, for each stage frame, notes how long
/// after the oldest progress event in it the frame arrived, once for every file the frame newly settled.
/// </summary>
public sealed class SseViewer(HttpClient client)
{
    private readonly Dictionary<(long Batch, string Stage), int> _settled = new();
    private readonly TaskCompletionSource _snapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Milliseconds from a file's progress event (published once it was recorded) to the frame that carried it.</summary>
    public List<(double DelayMs, int Files)> Delays { get; } = new();

    public long Frames { get; private set; }

    public Task Snapshot => _snapshot.Task;

    /// <summary>Reads until the last stage's frames have carried all <paramref name="files"/> (the run has one batch), or <paramref name="cancel"/>.</summary>
    public async Task ReadAsync(int files, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancel);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancel))
        {
            var arrived = DateTimeOffset.UtcNow;
            Frames++;
            using var frame = JsonDocument.Parse(item.Data);
            var root = frame.RootElement;
            if (item.EventType == "snapshot") _snapshot.TrySetResult();
            if (item.EventType != "stage") continue;
            var counts = root.GetProperty("stages")[0];
            var key = (counts.GetProperty("batchId").GetInt64(), counts.GetProperty("stage").GetString()!);
            var settled = counts.GetProperty("done").GetInt32() + counts.GetProperty("failed").GetInt32() + counts.GetProperty("skipped").GetInt32();
            var fresh = settled - _settled.GetValueOrDefault(key);
            _settled[key] = settled;
            if (fresh > 0 && root.GetProperty("oldestEventAt").GetDateTimeOffset() is var oldest)
                Delays.Add(((arrived - oldest).TotalMilliseconds, fresh));
            if (key.Item2 == LastStage && settled >= files) return;
        }
    }

    /// <summary>The pipeline's last stage; the viewer is done when it has seen every file there.</summary>
    public string LastStage { get; init; } = "metadata";
}
