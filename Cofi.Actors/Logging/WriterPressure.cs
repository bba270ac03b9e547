namespace Cofi.Actors.Logging;

/// <summary>
/// Published by the EventWriter: <see cref="Behind"/> while the rows waiting for a flush are over the high-water mark
/// (the database is down or slow), so stages stop handing out new work; false once they are below half of it.
/// <see cref="Buffered"/> counts the rows waiting, not those of the flush under way.
/// </summary>
public sealed record WriterPressure(bool Behind, int Buffered);
