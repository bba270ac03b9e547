namespace Cofi.Actors.Inputs;

internal enum FileKind
{
    Missing,
    Regular,
    Directory,

    /// <summary>A FIFO, socket or device: opening or reading one can block forever, so it is never opened.</summary>
    Special,

    /// <summary>The path exists but its type could not be determined; <see cref="FileStat.Error"/> says why.</summary>
    Unreadable,
}
