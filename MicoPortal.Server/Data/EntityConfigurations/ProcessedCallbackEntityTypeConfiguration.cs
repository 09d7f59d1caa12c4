using MicoPortal.Server.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class ProcessedCallbackEntityTypeConfiguration : IEntityTypeConfiguration<ProcessedCallback>
{
    public void Configure(EntityTypeBuilder<ProcessedCallback> builder)
    {
        builder.ToTable("ProcessedCallbacks");
        builder.HasKey(c => c.EventId);
        // A provider's event id (at most 128 characters), after its provider's name for all but default.
        builder.Property(c => c.EventId).HasMaxLength(192);
        builder.HasIndex(c => c.ReceivedAt);
    }
}
