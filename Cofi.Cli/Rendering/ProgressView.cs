using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Cofi.Cli.Rendering;

/// <summary>
/// <c>batch watch</c>: a progress bar per stage with its rate and ETA, redrawn in place on a terminal; plain lines
/// (every few seconds, and when a stage completes) when the output is not one. Fed the batch's SSE frames.
/// </summary>
public sealed class ProgressView(long batchId, bool terminal, TextWriter output)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(2);

    private sealed record Stage(string Name, int Done, int Failed, int Skipped, int InFlight, int Queued, int? Total, bool Completed)
    {
        public int Settled => Done + Failed + Skipped;
    }

    private readonly List<string> _order = new();
    private readonly Dictionary<string, Stage> _stages = new();
    private readonly Dictionary<string, Queue<(DateTimeOffset At, int Settled)>> _history = new();
    private readonly HashSet<string> _announced = new();
    private int _drawn;
    private DateTimeOffset _lastLine = DateTimeOffset.MinValue;
    private DateTimeOffset _lastDraw = DateTimeOffset.MinValue;

    public string Status { get; private set; } = "running";

    public bool Finished => Status is not ("queued" or "running" or "paused");

    /// <summary>The batch as <c>GET /api/batches/{id}</c> gives it.</summary>
    public void Seed(JsonNode detail)
    {
        Status = detail["batch"]?["status"]?.ToString() ?? Status;
        foreach (var s in (detail["stages"] as JsonArray ?? []).OfType<JsonObject>()) Update(s, DateTimeOffset.UtcNow);
    }

    public void Frame(JsonNode frame)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var s in (frame["stages"] as JsonArray ?? []).OfType<JsonObject>().Where(s => s["batchId"]?.GetValue<long>() == batchId)) Update(s, now);
        foreach (var b in (frame["batches"] as JsonArray ?? []).OfType<JsonObject>().Where(b => b["batchId"]?.GetValue<long>() == batchId))
            Status = b["status"]?.ToString() ?? Status;
    }

    private void Update(JsonObject s, DateTimeOffset now)
    {
        int Int(string key) => s[key]?.GetValue<int>() ?? 0;
        var stage = new Stage(s["stage"]!.ToString(), Int("done"), Int("failed"), Int("skipped"), Int("inFlight"), Int("queued"), s["total"]?.GetValue<int?>(),
            s["completed"]?.GetValue<bool>() ?? false);
        if (!_stages.ContainsKey(stage.Name)) _order.Add(stage.Name);
        _stages[stage.Name] = stage;
        if (!_history.TryGetValue(stage.Name, out var history)) _history[stage.Name] = history = new Queue<(DateTimeOffset, int)>();
        history.Enqueue((now, stage.Settled));
        while (history.Count > 2 && now - history.Peek().At > RateWindow) history.Dequeue();
    }

    /// <summary>Shows the progress now (on a terminal at most ten times a second unless <paramref name="force"/>).</summary>
    public void Show(bool force = false)
    {
        var now = DateTimeOffset.UtcNow;
        if (terminal)
        {
            if (!force && now - _lastDraw < TimeSpan.FromMilliseconds(100)) return;
            _lastDraw = now;
            var text = new StringBuilder();
            if (_drawn > 0) text.Append($"\x1b[{_drawn}A");
            var lines = Lines();
            foreach (var line in lines) text.Append('\r').Append(line).Append("\x1b[K\n");
            _drawn = lines.Count;
            output.Write(text.ToString());
            output.Flush();
            return;
        }
        var completedNow = _stages.Values.Where(s => s.Completed && _announced.Add(s.Name)).ToList();
        if (!force && completedNow.Count == 0 && now - _lastLine < LineEvery) return;
        _lastLine = now;
        output.WriteLine($"[{now.UtcDateTime:HH:mm:ss}] batch {batchId} {Status}: " +
                         string.Join(" | ", _order.Select(n => _stages[n]).Select(s => $"{s.Name} {s.Settled:N0}/{Total(s):N0}")));
    }

    private List<string> Lines()
    {
        var lines = new List<string> { $"batch {batchId}: {Status}" };
        var width = _order.Select(n => n.Length).DefaultIfEmpty(8).Max();
        foreach (var s in _order.Select(n => _stages[n]))
        {
            var total = Total(s);
            var share = total == 0 ? 0 : Math.Min(1.0, (double)s.Settled / total);
            var bar = new string('#', (int)(share * 30)).PadRight(30, '.');
            var rate = Rate(s.Name);
            var eta = s.Completed || s.Settled >= total ? "done" : rate > 0 ? "ETA " + Text.Duration(TimeSpan.FromSeconds((total - s.Settled) / rate)) : "ETA -";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{s.Name.PadRight(width)} [{bar}] {s.Settled,7:N0}/{total,-7:N0} {share,4:P0} {rate,7:0.0}/s  {eta,-10} failed {s.Failed:N0} skipped {s.Skipped:N0} in flight {s.InFlight}"));
        }
        return lines;
    }

    private int Total(Stage s) => _stages.Values.FirstOrDefault(x => x.Total is not null)?.Total ?? Math.Max(1, s.Settled + s.InFlight + s.Queued);

    private double Rate(string stage)
    {
        var history = _history[stage];
        if (history.Count < 2) return 0;
        var (firstAt, first) = history.Peek();
        var (lastAt, last) = history.Last();
        var seconds = (lastAt - firstAt).TotalSeconds;
        return seconds <= 0 ? 0 : (last - first) / seconds;
    }
}
