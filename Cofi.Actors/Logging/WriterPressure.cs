namespace Cofi.Actors.Logging;

/// <summary>
/// Published by the EventWriter: <see cref="Behind"/> while its buffer is over the high-water mark (the database is
/// down or slow), so stages stop handing out new work; false once it has caught up below the low-water mark.
/// </summary>
public sealed record WriterPressure(bool Behind, int Buffered);
