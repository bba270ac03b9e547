using System.Runtime.InteropServices;

namespace Cofi.Actors.Metrics;

/// <summary>
/// The CPU time the calling thread has used so far, on Linux (elsewhere zero). Unlike wall time, it does not grow
/// while other processes or threads hold the cores: on a shared machine it tells how much work a piece of code does.
/// </summary>
public static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static TimeSpan Now() =>
        OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0
            ? TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100)
            : TimeSpan.Zero;
}
