namespace Databunker.Samples.Expiration;

/// <summary>
/// A clock the sample moves forward by hand, so that thirty days pass in a second. The vault reads time
/// only through <see cref="TimeProvider"/>, so a real host simply keeps <see cref="TimeProvider.System"/>.
/// </summary>
internal sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
