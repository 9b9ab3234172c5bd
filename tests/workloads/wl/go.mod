module ksampler.test/wl

go 1.15
