namespace MicoPortal.Server.Reconciliation;

/// <summary>
/// A set of order ids as bits in 64 Kbit pages: order ids are dense, so a million of them take about
/// 125 KB instead of the ~40 MB of a HashSet, which keeps a reconciliation's memory flat.
/// </summary>
public sealed class OrderIdSet
{
    private const int PageBits = 1 << 16;

    private readonly Dictionary<long, ulong[]> _pages = [];

    public void Add(long id)
    {
        var (page, index) = Locate(id);
        if (!_pages.TryGetValue(page, out var bits))
        {
            bits = new ulong[PageBits / 64];
            _pages[page] = bits;
        }

        bits[index >> 6] |= 1UL << (index & 63);
    }

    public bool Contains(long id)
    {
        var (page, index) = Locate(id);
        return _pages.TryGetValue(page, out var bits) && (bits[index >> 6] & (1UL << (index & 63))) != 0;
    }

    private static (long Page, int Index) Locate(long id) => (id >> 16, (int)(id & (PageBits - 1)));
}
