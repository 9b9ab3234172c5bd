module ksampler.test/stackgrow

go 1.15
