namespace Cofi.Host.Runtime;

/// <summary>The process's peak resident memory, as the kernel counts it (VmHWM).</summary>
public static class PeakMemory
{
    public static long Bytes()
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kb)) return kb * 1024;
        }
        return Environment.WorkingSet;
    }

    public static string Describe() => $"{Bytes() / (1024.0 * 1024.0):0} MiB";
}
