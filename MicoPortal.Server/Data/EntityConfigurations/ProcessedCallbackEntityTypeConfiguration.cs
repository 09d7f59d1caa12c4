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
        builder.Property(c => c.EventId).HasMaxLength(128);
        builder.HasIndex(c => c.ReceivedAt);
    }
}
