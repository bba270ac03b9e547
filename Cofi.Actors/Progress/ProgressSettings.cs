using Akka.Configuration;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Progress;

/// <summary>How the <see cref="ProgressBroadcaster"/> coalesces progress and buffers it per subscriber (<c>cofi.progress</c>).</summary>
public sealed record ProgressSettings(TimeSpan FrameInterval, int FrameEvery, int SubscriberBuffer, int ReplayFrames, int RecentFiles)
{
    /// <exception cref="InvalidConfigurationException">naming the key of the first invalid value.</exception>
    public static ProgressSettings FromConfig(Config config)
    {
        if (!config.HasPath("cofi.progress")) throw new InvalidConfigurationException("cofi.progress", "missing section");
        var section = new ConfigReader(config.GetConfig("cofi.progress"), "cofi.progress");
        return new ProgressSettings(
            section.Duration("frame-interval", TimeSpan.FromMilliseconds(1)),
            section.Int("frame-every", 1, 1_000_000),
            section.Int("subscriber-buffer", 2, 1_000_000),
            section.Int("replay-frames", 1, 1_000_000),
            section.Int("recent-files", 0, 1000));
    }
}
