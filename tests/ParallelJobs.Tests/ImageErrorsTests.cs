using System;
using ParallelJobs.Operations.Images;
using Xunit;

namespace ParallelJobs.Tests;

public sealed class ImageErrorsTests
{
    [Fact]
    public void ADecoderBugReadsAsCorruptDataNotAsANullReference()
    {
        string detail = ImageErrors.DecoderDetail(new NullReferenceException());
        var error = ImageErrors.Invalid("/x/crafted.jpg", "JPEG", detail, new NullReferenceException());

        Assert.Equal("ImageInvalid", error.ErrorId);
        Assert.DoesNotContain("Object reference", error.Message);
        Assert.Contains("corrupt", error.Message);
        Assert.Contains("crafted.jpg", error.Message);
    }

    [Fact]
    public void ADecoderMessageThatSaysSomethingIsKept() =>
        Assert.Equal("Bad IHDR.", ImageErrors.DecoderDetail(new InvalidOperationException("Bad IHDR.")));
}
