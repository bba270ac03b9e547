using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Cofi.Web.Tests.Support;

/// <summary>One received SSE event with its frame parsed.</summary>
public sealed record SseFrame(string EventType, string? EventId, JsonElement Frame)
{
    public long Id => Frame.GetProperty("id").GetInt64();

    public string Type => Frame.GetProperty("type").GetString()!;

    public IEnumerable<JsonElement> Stages => Frame.GetProperty("stages").EnumerateArray();

    public IEnumerable<JsonElement> Batches => Frame.GetProperty("batches").EnumerateArray();
}

/// <summary>Reads a Server-Sent Events stream over a real HTTP connection.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _items;
    private readonly CancellationTokenSource _cancel = new();

    private SseClient(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _items = SseParser.Create(stream).EnumerateAsync(_cancel.Token).GetAsyncEnumerator(_cancel.Token);
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseClient> ConnectAsync(HttpClient client, string path, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is { } id) request.Headers.Add("Last-Event-ID", id.ToString());
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseClient(response, await response.Content.ReadAsStreamAsync());
    }

    public async Task<SseFrame> NextAsync(TimeSpan? within = null)
    {
        var next = _items.MoveNextAsync().AsTask();
        using var timeout = new CancellationTokenSource();
        if (await Task.WhenAny(next, Task.Delay(within ?? TimeSpan.FromSeconds(30), timeout.Token)) != next) throw new TimeoutException("no SSE event arrived in time");
        // A reader of thousands of frames must not leave thousands of pending timers behind.
        await timeout.CancelAsync();
        if (!await next) throw new EndOfStreamException("the server ended the stream");
        return new SseFrame(_items.Current.EventType, _items.Current.EventId, JsonDocument.Parse(_items.Current.Data).RootElement);
    }

    /// <summary>Reads until <paramref name="last"/> holds for a frame; returns every frame read, that one included.</summary>
    public async Task<List<SseFrame>> ReadUntilAsync(Func<SseFrame, bool> last, TimeSpan? within = null)
    {
        var until = DateTime.UtcNow + (within ?? TimeSpan.FromMinutes(1));
        var frames = new List<SseFrame>();
        while (true)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"read {frames.Count} frames; the awaited one did not come");
            var frame = await NextAsync(left);
            frames.Add(frame);
            if (last(frame)) return frames;
        }
    }

    /// <summary>Reads until <paramref name="last"/> holds for a frame and returns that one, keeping none of the others.</summary>
    public async Task<SseFrame> SkipUntilAsync(Func<SseFrame, bool> last, TimeSpan? within = null)
    {
        var until = DateTime.UtcNow + (within ?? TimeSpan.FromMinutes(1));
        var read = 0;
        while (true)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"read {read} frames; the awaited one did not come");
            var frame = await NextAsync(left);
            read++;
            if (last(frame)) return frame;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        _response.Dispose();
        _cancel.Dispose();
    }
}
